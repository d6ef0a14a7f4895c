package webapp

import "io/fs"

// mustSub returns the subtree dir of an embedded file system. The embed
// patterns guarantee that dir exists, so an error is a build mistake.
func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err)
	}
	return sub
}
