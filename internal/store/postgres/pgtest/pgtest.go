// Package pgtest runs a throw-away PostgreSQL cluster for tests, from the
// installed binaries (initdb, pg_ctl, postgres), in a temporary folder, on a
// free loopback port. A test binary starts one (from TestMain) and makes a
// database (or schema) per test, which is much cheaper than a cluster per
// test.
package pgtest

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
)

// ErrUnavailable wraps the reason a cluster cannot be started on this
// machine at all (binaries or an unprivileged user missing): tests skip on
// it, loudly. Any other error of Start is a failure.
var ErrUnavailable = errors.New("PostgreSQL test cluster unavailable")

// Cluster is a running throw-away cluster.
type Cluster struct {
	dir    string // temporary folder: data, socket, log
	data   string
	port   int
	runAs  string // user that owns and runs the cluster; "" is the current one
	admin  *sql.DB
	serial atomic.Int64 // database names
}

// Start initialises and starts a cluster. Stop it with Stop.
func Start(ctx context.Context) (*Cluster, error) {
	bins := map[string]string{}
	for _, b := range []string{"initdb", "pg_ctl", "postgres"} {
		p, err := exec.LookPath(b)
		if err != nil {
			return nil, fmt.Errorf("%w: %s not found on PATH (install the PostgreSQL server binaries)", ErrUnavailable, b)
		}
		bins[b] = p
	}
	c := &Cluster{}
	uid, gid := -1, -1
	if os.Geteuid() == 0 {
		// initdb and postgres refuse to run as root (CI runs as root):
		// the cluster belongs to an unprivileged system user instead.
		// Creating one is not a test's business.
		for _, name := range []string{"postgres", "nobody"} {
			u, err := user.Lookup(name)
			if err != nil {
				continue
			}
			uid, _ = strconv.Atoi(u.Uid)
			gid, _ = strconv.Atoi(u.Gid)
			c.runAs = name
			break
		}
		if c.runAs == "" {
			return nil, fmt.Errorf("%w: running as root and neither the postgres nor the nobody user exists to run the cluster", ErrUnavailable)
		}
		if _, err := exec.LookPath("runuser"); err != nil {
			return nil, fmt.Errorf("%w: running as root and runuser is not found to drop to %s", ErrUnavailable, c.runAs)
		}
	}
	dir, err := os.MkdirTemp("", "cognitod-pg")
	if err != nil {
		return nil, err
	}
	c.dir = dir
	c.data = filepath.Join(dir, "data")
	if uid >= 0 {
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	port, err := freePort()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	c.port = port
	// Trust authentication on loopback only; no durability (fsync off):
	// the data is thrown away.
	if err := c.run(ctx, bins["initdb"], "-D", c.data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"); err != nil {
		// Some systems lack the C.UTF-8 locale; plain C serves the tests as well.
		if err2 := c.run(ctx, bins["initdb"], "-D", c.data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"); err2 != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("initdb: %w", errors.Join(err, err2))
		}
	}
	opts := fmt.Sprintf("-h 127.0.0.1 -p %d -k %s -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400", port, dir)
	// -w: pg_ctl itself polls until the server accepts connections.
	if err := c.run(ctx, bins["pg_ctl"], "start", "-w", "-t", "60", "-D", c.data, "-l", filepath.Join(dir, "log"), "-o", opts); err != nil {
		logText, _ := os.ReadFile(filepath.Join(dir, "log"))
		os.RemoveAll(dir)
		return nil, fmt.Errorf("pg_ctl start: %w\n%s", err, logText)
	}
	c.admin, err = sql.Open("pgx", c.DSN("postgres"))
	if err == nil {
		err = c.admin.PingContext(ctx)
	}
	if err != nil {
		c.Stop()
		return nil, fmt.Errorf("connecting to the test cluster: %w", err)
	}
	return c, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// run runs a PostgreSQL binary as the cluster's user, in the cluster's
// folder (the user may not be allowed into the current one).
func (c *Cluster) run(ctx context.Context, bin string, args ...string) error {
	var cmd *exec.Cmd
	if c.runAs != "" {
		cmd = exec.CommandContext(ctx, "runuser", append([]string{"-u", c.runAs, "--", bin}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, bin, args...)
	}
	cmd.Dir = c.dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w\n%s", filepath.Base(bin), err, out.Bytes())
	}
	return nil
}

// DSN is the URL of database name on the cluster.
func (c *Cluster) DSN(name string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, name)
}

// NewDatabase creates an empty database and returns its name.
func (c *Cluster) NewDatabase(ctx context.Context) (string, error) {
	name := fmt.Sprintf("t%d", c.serial.Add(1))
	_, err := c.admin.ExecContext(ctx, `CREATE DATABASE `+name)
	return name, err
}

// Stop stops the cluster (fast: open connections are cut) and removes its
// folder.
func (c *Cluster) Stop() error {
	var err error
	if c.admin != nil {
		err = c.admin.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pgCtl, lerr := exec.LookPath("pg_ctl")
	if lerr != nil {
		return errors.Join(err, lerr)
	}
	err = errors.Join(err, c.run(ctx, pgCtl, "stop", "-w", "-m", "fast", "-D", c.data))
	return errors.Join(err, os.RemoveAll(c.dir))
}
