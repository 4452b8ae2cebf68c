package secret

import (
	"net/url"
	"strings"
)

// Parts of a name that make it a secret's wherever they appear in it (DBPASSWORD, GH_TOKEN).
var secretParts = []string{
	"TOKEN", "SECRET", "PASSWORD", "PASSWD", "PASSPHRASE", "CREDENTIAL", "PRIVATE", "COOKIE",
	"APIKEY", "ACCESSKEY", "KEYFILE",
}

// Words that make a name a secret's only as a whole word: KEY in OPENAI_API_KEY but not in
// MONKEY, PWD in MYSQL_PWD but not the shell's PWD.
var secretWords = map[string]bool{
	"KEY": true, "KEYS": true, "PWD": true, "PASS": true, "AUTH": true, "SESSION": true,
	"CREDS": true, "JWT": true,
}

// Names that look secret but hold well-known, non-secret values: the working directory, the
// desktop session's kind. Masking them would garble every path or common word in the output.
var notSecret = map[string]bool{
	"PWD": true, "OLDPWD": true, "DESKTOP_SESSION": true, "SSH_AUTH_SOCK": true,
}

// LooksSecret reports whether an environment variable or a configuration key is named like
// one that holds a secret (GITHUB_TOKEN, DBT_ENV_SECRET_X, AWS_SECRET_ACCESS_KEY, password,
// private_key_passphrase, keyfile_json, ...). Case does not matter.
func LooksSecret(name string) bool {
	n := strings.ToUpper(name)
	if notSecret[n] || strings.HasPrefix(n, "XDG_") {
		return false
	}
	for _, p := range secretParts {
		if strings.Contains(n, p) {
			return true
		}
	}
	for _, w := range strings.FieldsFunc(n, func(r rune) bool { return !('A' <= r && r <= 'Z' || '0' <= r && r <= '9') }) {
		if secretWords[w] {
			return true
		}
	}
	return false
}

// MatchName reports whether name is one of patterns: exact names, and prefixes written
// "PREFIX_*".
func MatchName(patterns []string, name string) bool {
	for _, p := range patterns {
		if prefix, ok := strings.CutSuffix(p, "*"); ok {
			if prefix != "" && strings.HasPrefix(name, prefix) {
				return true
			}
		} else if p == name {
			return true
		}
	}
	return false
}

// URLPassword is the password in a URL's user information (postgres://u:p@host/db), "" when
// there is none.
func URLPassword(s string) string {
	if !strings.Contains(s, "://") || !strings.Contains(s, "@") {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return ""
	}
	p, _ := u.User.Password()
	return p
}
