package main

import (
	"errors"
	"flag"
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"
)

// envName returns the environment variable that sets the flag name:
// "max-message" is set by WSFLOW_MAX_MESSAGE.
func envName(name string) string {
	return "WSFLOW_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// setFromEnv sets every flag of fs that the command line did not give from
// its environment variable (see envName), when that is set and not empty.
// lookup is os.LookupEnv outside tests.
func setFromEnv(fs *flag.FlagSet, lookup func(string) (string, bool)) error {
	given := make(map[string]bool)
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if err != nil || given[f.Name] {
			return
		}
		name := envName(f.Name)
		v, ok := lookup(name)
		if !ok || v == "" {
			return
		}
		if e := fs.Set(f.Name, v); e != nil {
			err = fmt.Errorf("invalid value %q for %s: %v", v, name, e)
		}
	})
	return err
}

// intFlag is an integer flag with a lower bound.
type intFlag[T int | int64] struct {
	p   *T
	min T
}

func (f intFlag[T]) String() string {
	if f.p == nil {
		return ""
	}
	return strconv.FormatInt(int64(*f.p), 10)
}

func (f intFlag[T]) Set(s string) error {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || int64(T(n)) != n {
		if errors.Is(err, strconv.ErrSyntax) {
			return errors.New("not an integer")
		}
		return errors.New("out of range")
	}
	if T(n) < f.min {
		return fmt.Errorf("must be at least %d", f.min)
	}
	*f.p = T(n)
	return nil
}

// durationFlag is a duration flag that may not be negative.
type durationFlag struct{ p *time.Duration }

func (f durationFlag) String() string {
	if f.p == nil {
		return ""
	}
	return f.p.String()
}

func (f durationFlag) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return errors.New("not a duration such as 500ms, 30s or 1m")
	}
	if d < 0 {
		return errors.New("must not be negative")
	}
	*f.p = d
	return nil
}

// positiveDurationFlag is a duration flag that must be positive; while it
// is unset (zero) it stands for def.
type positiveDurationFlag struct {
	p   *time.Duration
	def time.Duration
}

func (f positiveDurationFlag) String() string {
	if f.p == nil || *f.p == 0 {
		return f.def.String()
	}
	return f.p.String()
}

func (f positiveDurationFlag) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return errors.New("not a duration such as 500ms, 30s or 1m")
	}
	if d <= 0 {
		return errors.New("must be positive")
	}
	*f.p = d
	return nil
}

// originsFlag is a comma-separated list of origin patterns in path.Match
// syntax; blank entries are dropped.
type originsFlag struct{ p *[]string }

func (f originsFlag) String() string {
	if f.p == nil {
		return ""
	}
	return strings.Join(*f.p, ",")
}

func (f originsFlag) Set(s string) error {
	var patterns []string
	for p := range strings.SplitSeq(s, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if _, err := path.Match(p, ""); err != nil {
			return fmt.Errorf("bad pattern %q: %v", p, err)
		}
		patterns = append(patterns, p)
	}
	*f.p = patterns
	return nil
}
