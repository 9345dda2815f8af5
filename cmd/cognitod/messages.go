package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/cognitod/cognitod/internal/outbox"
)

// followInterval is how often `cognitod messages --follow` polls.
const followInterval = 500 * time.Millisecond

// runMessages is `cognitod messages`: it prints the messages a running
// cognitod recorded instead of sending (GET /_cognitod/messages), and with
// --follow keeps printing new ones until interrupted.
func runMessages(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	endpoint := "http://127.0.0.1:9229"
	if v := getenv("COGNITOD_ENDPOINT"); v != "" {
		endpoint = v
	}
	var q outbox.Query
	var follow, asJSON bool
	fs := flag.NewFlagSet("cognitod messages", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: cognitod messages [--endpoint URL] [--pool ID] [--user NAME] [--to DEST] [--follow] [--json]")
		fmt.Fprintln(fs.Output(), "\nPrints the messages (codes, invitations …) a running cognitod recorded instead of sending them.")
		fs.PrintDefaults()
	}
	fs.StringVar(&endpoint, "endpoint", endpoint, "URL of the running cognitod (env COGNITOD_ENDPOINT)")
	fs.StringVar(&q.UserPoolID, "pool", "", "only messages of this user pool id")
	fs.StringVar(&q.Username, "user", "", "only messages to this username")
	fs.StringVar(&q.Destination, "to", "", "only messages to this e-mail address or phone number")
	fs.Int64Var(&q.AfterSeq, "after", 0, "only messages after this seq")
	fs.BoolVar(&follow, "follow", false, "keep printing new messages until interrupted")
	fs.BoolVar(&asJSON, "json", false, "print one JSON object per line")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("messages: unexpected argument %q", fs.Arg(0))
	}
	c := &outbox.Client{BaseURL: endpoint, HTTP: &http.Client{Timeout: 30 * time.Second}, Interval: followInterval}
	emit := func(m outbox.Message) error {
		if asJSON {
			b, err := json.Marshal(m)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(stdout, "%s\n", b)
			return err
		}
		_, err := io.WriteString(stdout, formatMessage(m))
		return err
	}
	if follow {
		err := c.Follow(ctx, q, emit)
		if ctx.Err() != nil {
			return nil // interrupted: the normal way to stop following
		}
		return err
	}
	msgs, err := c.ListAll(ctx, q)
	if err != nil {
		return err
	}
	for _, m := range msgs {
		if err := emit(m); err != nil {
			return err
		}
	}
	if len(msgs) == 0 && !asJSON {
		fmt.Fprintln(stderr, "no messages")
	}
	return nil
}

// formatMessage renders one message as a readable block: a header line, then
// the code, the subject and the body indented.
func formatMessage(m outbox.Message) string {
	var b strings.Builder
	kind := m.Kind
	if kind == "" {
		kind = "MESSAGE"
	}
	fmt.Fprintf(&b, "#%d %s %s %s to %s (pool %s, user %s)\n",
		m.Seq, m.Created.UTC().Format(time.RFC3339), kind, m.Medium, m.Destination, m.UserPoolID, m.Username)
	if m.Code != "" {
		fmt.Fprintf(&b, "    code: %s\n", m.Code)
	}
	if m.Subject != "" {
		fmt.Fprintf(&b, "    subject: %s\n", m.Subject)
	}
	if body := strings.TrimRight(m.Body, "\n"); body != "" {
		for _, line := range strings.Split(body, "\n") {
			fmt.Fprintf(&b, "    | %s\n", strings.TrimRight(line, "\r"))
		}
	}
	return b.String()
}
