package webapp

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"path"

	"github.com/gofiber/fiber/v2"
)

// asset is a static file held in memory with the hash of its content.
type asset struct {
	body        []byte
	contentType string
	version     string
}

// assets are the static files, served under /static/<name>?v=<version>.
// A request with the current version may be cached for a year; the
// version changes whenever the content does.
type assets struct {
	files map[string]asset
}

func loadAssets(fsys fs.FS) (*assets, error) {
	as := &assets{files: make(map[string]asset)}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ct := mime.TypeByExtension(path.Ext(p))
		if ct == "" {
			ct = fiber.MIMEOctetStream
		}
		as.files[p] = asset{body: b, contentType: ct, version: hex.EncodeToString(sum[:6])}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load static files: %w", err)
	}
	return as, nil
}

// url returns the versioned URL of a static file; templates call it as
// {{asset "style.css"}}. An unknown name fails the template, which tests
// catch.
func (as *assets) url(name string) (string, error) {
	f, ok := as.files[name]
	if !ok {
		return "", fmt.Errorf("no static file %q", name)
	}
	return "/static/" + name + "?v=" + f.version, nil
}

func (a *app) static(c *fiber.Ctx) error {
	f, ok := a.assets.files[c.Params("name")]
	if !ok {
		return fiber.ErrNotFound
	}
	if c.Query("v") == f.version {
		c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	} else {
		c.Set(fiber.HeaderCacheControl, "no-cache")
	}
	etag := `"` + f.version + `"`
	c.Set(fiber.HeaderETag, etag)
	if c.Get(fiber.HeaderIfNoneMatch) == etag {
		return c.SendStatus(fiber.StatusNotModified)
	}
	c.Set(fiber.HeaderContentType, f.contentType)
	return c.Send(f.body)
}
