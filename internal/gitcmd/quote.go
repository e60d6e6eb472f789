package gitcmd

import "strings"

// QuotePath quotes a path as git shows it with core.quotePath on (the
// default): unchanged when it holds only printable ASCII other than '"'
// and '\'; otherwise in double quotes, with \a \b \t \n \v \f \r \" \\
// for those characters and three-digit octal escapes for the other
// control characters and for every byte of 0x80 and above. Such a path
// always stays on one line.
func QuotePath(p string) string {
	if !needsQuote(p) {
		return p
	}
	return Quote(p)
}

// Quote quotes s in double quotes with the escapes of QuotePath, whether
// it needs them or not.
func Quote(p string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch c {
		case '\a':
			b.WriteString(`\a`)
		case '\b':
			b.WriteString(`\b`)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\v':
			b.WriteString(`\v`)
		case '\f':
			b.WriteString(`\f`)
		case '\r':
			b.WriteString(`\r`)
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		default:
			if c < 0x20 || c >= 0x7f {
				b.WriteByte('\\')
				b.WriteByte('0' + c>>6)
				b.WriteByte('0' + c>>3&7)
				b.WriteByte('0' + c&7)
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

func needsQuote(p string) bool {
	for i := 0; i < len(p); i++ {
		if c := p[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return true
		}
	}
	return false
}
