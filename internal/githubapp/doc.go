// Package githubapp is the GitHub App side of the service: it signs the App's JWT (RS256,
// from its private key), exchanges it for installation access tokens cached until shortly
// before they expire, and makes the App's own calls (failed webhook deliveries and their
// redelivery, a commenter's permission, a pull request, issue comments, commits through the
// Git Data API). Every call goes through the publisher's retries (rate limits, 5xx).
//
// Neither the key nor a token ever appears in an error or a log line: errors from the HTTP
// layer are passed through Mask, which knows every token this App has minted.
package githubapp
