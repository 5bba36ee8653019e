package transformer_test

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/transformer"
)

func ExampleString() {
	t := transformer.String()

	s, _ := t.Decode(message.KindText, []byte("hello"))
	fmt.Printf("%q\n", s)

	kind, frame, _ := t.Encode(nil, "Hello, "+s)
	fmt.Printf("%s frame %q\n", kind, frame)

	_, err := t.Decode(message.KindBinary, []byte{0x01})
	var ce *message.CloseError
	if errors.As(err, &ce) {
		fmt.Println(ce.Close)
	}
	// Output:
	// "hello"
	// text frame "Hello, hello"
	// 1003 unsupported data: "this socket accepts only text messages"
}

func ExampleJSON() {
	t := transformer.JSON()

	v, _ := t.Decode(message.KindBinary, []byte(`{ "name" : "Zoë", "n" : 1.0, "e" : "\u00e9" }`))
	fmt.Println(string(v))

	_, err := t.Decode(message.KindText, []byte(`{"a":1} {"b":2}`))
	fmt.Println(message.CloseFor(err))
	// Output:
	// {"name":"Zoë","n":1.0,"e":"\u00e9"}
	// 1007 invalid payload data: "invalid JSON: invalid character '{' after top-level value"
}

// Calculation is the request of a calculator socket.
type Calculation struct {
	Op string  `json:"op,required"`
	A  float64 `json:"a,required"`
	B  float64 `json:"b,required"`
}

// Validate accepts the four operations.
func (c Calculation) Validate() error {
	switch c.Op {
	case "add", "sub", "mul", "div":
		return nil
	}
	return &transformer.FieldError{Field: "op", Problem: "want add, sub, mul or div"}
}

// Result is the answer of a calculator socket.
type Result struct {
	Op     string  `json:"op"`
	Result float64 `json:"result"`
}

func ExampleModel() {
	t := transformer.Model[Calculation, Result]()

	c, _ := t.Decode(message.KindText, []byte(`{"op":"add","a":1,"b":2}`))
	_, frame, _ := t.Encode(nil, Result{Op: c.Op, Result: c.A + c.B})
	fmt.Println(string(frame))

	for _, in := range []string{
		`{"op":"add","a":"1","b":2}`,
		`{"op":"add","a":1}`,
		`{"op":"pow","a":1,"b":2}`,
		`{"op":"add","a":1,"b":2,"c":3}`,
	} {
		_, err := t.Decode(message.KindText, []byte(in))
		fmt.Println(message.CloseFor(err))
	}
	// Output:
	// {"op":"add","result":3}
	// 1007 invalid payload data: "field \"a\": want number, got string"
	// 1007 invalid payload data: "missing required field \"b\""
	// 1007 invalid payload data: "field \"op\": want add, sub, mul or div"
	// 1007 invalid payload data: "unknown field \"c\""
}

func ExampleMap() {
	// Integers that travel as decimal text.
	ints := transformer.Map(transformer.String(),
		strconv.Atoi,
		func(n int) (string, error) { return strconv.Itoa(n), nil })

	n, _ := ints.Decode(message.KindText, []byte("41"))
	_, frame, _ := ints.Encode(nil, n+1)
	fmt.Println(string(frame))

	_, err := ints.Decode(message.KindText, []byte("forty-one"))
	fmt.Println(message.CloseFor(err))
	// Output:
	// 42
	// 1007 invalid payload data: "strconv.Atoi: parsing \"forty-one\": invalid syntax"
}

func ExampleRaw() {
	t := transformer.Raw()

	m, _ := t.Decode(message.KindBinary, []byte{0xca, 0xfe})
	kind, frame, _ := t.Encode(nil, m)
	fmt.Printf("%T -> %s frame % x\n", m, kind, frame)

	// A raw flow closes its socket by emitting a Close.
	_, _, err := t.Encode(nil, message.Close{Code: 4000, Reason: "bye"})
	fmt.Println(message.CloseFor(err))
	// Output:
	// message.Binary -> binary frame ca fe
	// 4000: "bye"
}
