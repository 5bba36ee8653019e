package cat_test

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"strings"

	"github.com/wsflow/wsflow/cmd/wsflow/demo"
	"github.com/wsflow/wsflow/cmd/wsflow/internal/cat"
)

// cat sends each line of its input and prints what comes back; at the end
// of the input it closes with 1000 and waits for the server's close.
func ExampleRun() {
	app := demo.New(demo.DefaultConfig())
	srv := httptest.NewServer(app)
	defer srv.Close()
	defer app.Shutdown(context.Background())

	url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/hello"
	err := cat.Run(context.Background(), []string{url}, strings.NewReader("world\nGo\n"), os.Stdout, io.Discard)
	fmt.Println("error:", err)
	// Output:
	// Hello, world
	// Hello, Go
	// error: <nil>
}
