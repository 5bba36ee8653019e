package cli

import (
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// EnvName returns the environment variable that sets the flag name:
// "max-message" is set by WSFLOW_MAX_MESSAGE.
func EnvName(name string) string {
	return "WSFLOW_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// SetFromEnv sets every flag of fs that the command line did not give from
// its environment variable (see EnvName), when that is set and not empty.
// lookup is os.LookupEnv outside tests.
func SetFromEnv(fs *flag.FlagSet, lookup func(string) (string, bool)) error {
	given := make(map[string]bool)
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if err != nil || given[f.Name] {
			return
		}
		name := EnvName(f.Name)
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

// Int is an integer flag value with a lower bound: it sets *P to an
// integer of at least Min.
type Int[T int | int64] struct {
	P   *T
	Min T
}

// String returns the flag's value.
func (f Int[T]) String() string {
	if f.P == nil {
		return ""
	}
	return strconv.FormatInt(int64(*f.P), 10)
}

// Set parses s as a decimal integer of at least Min.
func (f Int[T]) Set(s string) error {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || int64(T(n)) != n {
		if errors.Is(err, strconv.ErrSyntax) {
			return errors.New("not an integer")
		}
		return errors.New("out of range")
	}
	if T(n) < f.Min {
		return fmt.Errorf("must be at least %d", f.Min)
	}
	*f.P = T(n)
	return nil
}

// Duration is a duration flag value that may not be negative: it sets
// *P.
type Duration struct{ P *time.Duration }

// String returns the flag's value.
func (f Duration) String() string {
	if f.P == nil {
		return ""
	}
	return f.P.String()
}

// Set parses s in Go's duration syntax, refusing a negative duration.
func (f Duration) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return errors.New("not a duration such as 500ms, 30s or 1m")
	}
	if d < 0 {
		return errors.New("must not be negative")
	}
	*f.P = d
	return nil
}

// PositiveDuration is a duration flag value that must be positive: it
// sets *P. While *P is unset (zero) it stands for Default.
type PositiveDuration struct {
	P       *time.Duration
	Default time.Duration
}

// String returns the flag's value, or Default while it is unset.
func (f PositiveDuration) String() string {
	if f.P == nil || *f.P == 0 {
		return f.Default.String()
	}
	return f.P.String()
}

// Set parses s in Go's duration syntax, refusing a duration that is not
// positive.
func (f PositiveDuration) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return errors.New("not a duration such as 500ms, 30s or 1m")
	}
	if d <= 0 {
		return errors.New("must be positive")
	}
	*f.P = d
	return nil
}
