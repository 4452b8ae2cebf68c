package config

import "strconv"

// Service configures `dataops serve` and `dataops worker`: the GitHub App they act as and the
// Redis they share. The private key and the webhook secret are best given through the
// environment (GITHUB_APP_PRIVATE_KEY or a key file), so a settings file can be committed.
type Service struct {
	// AppID is the GitHub App's numeric id (GITHUB_APP_ID).
	AppID int64 `yaml:"app_id"`
	// PrivateKey is the App's PEM private key text (GITHUB_APP_PRIVATE_KEY); PrivateKeyPath a
	// file holding it (GITHUB_APP_PRIVATE_KEY_PATH).
	PrivateKey     string `yaml:"private_key"`
	PrivateKeyPath string `yaml:"private_key_path"`
	// WebhookSecret checks X-Hub-Signature-256 (GITHUB_WEBHOOK_SECRET).
	WebhookSecret string `yaml:"webhook_secret"`
	// APIURL is GitHub's REST root, for GitHub Enterprise (GITHUB_API_URL).
	APIURL string `yaml:"api_url" default:"https://api.github.com"`
	// RedisURL is the queue and the workflow state shared by every worker (DATAOPS_REDIS_URL).
	RedisURL string `yaml:"redis_url"`
	// Project is the dbt project's folder inside a repository, for repositories holding
	// several; a repository with one dbt_project.yml is found without it.
	Project string `yaml:"project"`
}

// serviceEnv applies GitHub's and the deployment's usual variable names; they win over the file.
func (s *Service) fromEnv(getenv func(string) (string, bool)) error {
	if v, ok := getenv("GITHUB_APP_ID"); ok && v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return &Error{Path: "GITHUB_APP_ID", Msg: "want the App's numeric id"}
		}
		s.AppID = id
	}
	for name, dst := range map[string]*string{
		"GITHUB_APP_PRIVATE_KEY":      &s.PrivateKey,
		"GITHUB_APP_PRIVATE_KEY_PATH": &s.PrivateKeyPath,
		"GITHUB_WEBHOOK_SECRET":       &s.WebhookSecret,
		"GITHUB_API_URL":              &s.APIURL,
		"DATAOPS_REDIS_URL":           &s.RedisURL,
	} {
		if v, ok := getenv(name); ok && v != "" {
			*dst = v
		}
	}
	return nil
}
