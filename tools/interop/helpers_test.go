package interop_test

import (
	"context"
	"testing"

	"github.com/wsflow/wsflow/internal/cmdtest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testCtx bounds a test's dials and reads; it ends with the test.
func testCtx(t *testing.T) context.Context { return cmdtest.Context(t) }
