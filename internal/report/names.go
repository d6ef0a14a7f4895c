package report

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// PersonalFileName names a personal report file by what it is: the
// questionnaire, "report" in the report's language, the person and the
// day of the response, e.g.
// johtamisosaaminen-raportti-sarka-aaritalo-2026-12-05.pdf.
func PersonalFileName(p Personal, tx Texts) string {
	return fileName(p.Questionnaire.ID, tx.T(p.Lang, "report.file_personal"), p.Name, p.SubmittedAt.Format("2006-01-02"))
}

// TeamFileName names a team report file: the questionnaire, "team report"
// in the report's language, the organisation, the round and the day it
// was made, e.g. johtamisosaaminen-tiimiraportti-keuda-kevat-2026-2026-12-05.pdf.
func TeamFileName(t Team, tx Texts) string {
	return fileName(t.Questionnaire.ID, tx.T(t.Lang, "report.file_team"), t.Organisation, t.RoundName, t.GeneratedAt.Format("2006-01-02"))
}

// maxPart is the longest a part of a file name may be.
const maxPart = 40

// fileName joins the parts, each folded to lower-case ASCII letters, digits
// and hyphens, so that the name is safe in a Content-Disposition header
// and on every file system.
func fileName(parts ...string) string {
	var out []string
	for _, p := range parts {
		if s := slug(p); s != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, "-") + ".pdf"
}

// slug folds s to ASCII: accents are dropped (ä to a, š to s), other
// characters become hyphens, and runs of hyphens one.
func slug(s string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range norm.NFKD.String(strings.ToLower(s)) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			hyphen = false
		case r == 'ß':
			b.WriteString("ss")
			hyphen = false
		case r == 'ø':
			b.WriteByte('o')
			hyphen = false
		case r == 'æ':
			b.WriteString("ae")
			hyphen = false
		case !hyphen && b.Len() > 0:
			b.WriteByte('-')
			hyphen = true
		}
		if b.Len() >= maxPart {
			break
		}
	}
	return strings.TrimRight(b.String(), "-")
}
