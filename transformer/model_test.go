package transformer_test

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/transformer"
)

func TestModelDecodeCalculator(t *testing.T) {
	tr := transformer.Model[calc, calc]()
	for _, c := range loadCases(t, "model_cases.json") {
		t.Run(c.Name, func(t *testing.T) {
			got, err := tr.Decode(c.kind(), c.payload(t))
			if c.WantCode != 0 {
				requireCase(t, c, err)
				return
			}
			require.NoError(t, err)
			var want calc
			require.NoError(t, json.Unmarshal(c.Want, &want))
			assert.Equal(t, want, got)
		})
	}
}

func TestModelDecodePointer(t *testing.T) {
	tr := transformer.Model[*calc, calc]()

	got, err := tr.Decode(message.KindText, []byte(`{"op":"mul","a":2,"b":3}`))
	require.NoError(t, err)
	assert.Equal(t, &calc{Op: "mul", A: 2, B: 3}, got)

	_, err = tr.Decode(message.KindText, []byte(`{"op":"mul","a":2}`))
	ce := requireClose(t, err, message.InvalidPayload)
	assert.Equal(t, `missing required field "b"`, ce.Reason, "required fields of a *struct model are checked")

	_, err = tr.Decode(message.KindText, []byte(`{"op":"pow","a":2,"b":3}`))
	ce = requireClose(t, err, message.InvalidPayload)
	assert.Contains(t, ce.Reason, `field "op"`, "Validate of a *struct model is called")

	_, err = tr.Decode(message.KindText, []byte(`null`))
	ce = requireClose(t, err, message.InvalidPayload)
	assert.Equal(t, "want object, got null", ce.Reason)
}

type tagged struct {
	Named    int    `json:"named,required"`
	Untagged int    `json:",required"`
	Optional int    `json:"optional"`
	Skipped  int    `json:"-"`
	Dash     int    `json:"-,required"`
	Omit     string `json:"omit,omitempty,required"`
	Embedded
	*Pointed
}

type Embedded struct {
	Inner int `json:"inner,required"`
}

type Pointed struct {
	Deep int `json:"deep,required"`
}

func TestModelRequiredTags(t *testing.T) {
	tr := transformer.Model[tagged, tagged]()
	full := map[string]any{"named": 1, "Untagged": 2, "-": 3, "omit": "x", "inner": 4, "deep": 5}

	got, err := tr.Decode(message.KindText, mustJSON(t, full))
	require.NoError(t, err)
	assert.Equal(t, 1, got.Named)
	assert.Equal(t, 2, got.Untagged)
	assert.Equal(t, 3, got.Dash)
	assert.Equal(t, 4, got.Inner)
	require.NotNil(t, got.Pointed)
	assert.Equal(t, 5, got.Deep)

	for name := range full {
		t.Run("without "+name, func(t *testing.T) {
			partial := map[string]any{}
			for k, v := range full {
				if k != name {
					partial[k] = v
				}
			}
			_, err := tr.Decode(message.KindText, mustJSON(t, partial))
			ce := requireClose(t, err, message.InvalidPayload)
			assert.Equal(t, `missing required field "`+name+`"`, ce.Reason)
		})
	}
}

func TestModelWithoutRequiredFields(t *testing.T) {
	type point struct {
		X int `json:"x"`
		Y int `json:"y"`
	}
	tr := transformer.Model[point, point]()

	got, err := tr.Decode(message.KindText, []byte(`{}`))
	require.NoError(t, err)
	assert.Equal(t, point{}, got)

	_, err = tr.Decode(message.KindText, []byte(`{"x":1,"z":2}`))
	ce := requireClose(t, err, message.InvalidPayload)
	assert.Equal(t, `unknown field "z"`, ce.Reason)
}

func TestModelNonStruct(t *testing.T) {
	m, err := transformer.Model[map[string]int, any]().Decode(message.KindText, []byte(`{"a":1,"b":2}`))
	require.NoError(t, err)
	assert.Equal(t, map[string]int{"a": 1, "b": 2}, m)

	_, err = transformer.Model[map[string]int, any]().Decode(message.KindText, []byte(`{"a":"x"}`))
	ce := requireClose(t, err, message.InvalidPayload)
	assert.Equal(t, `want integer, got string`, ce.Reason)

	s, err := transformer.Model[[]string, any]().Decode(message.KindBinary, []byte(`["a","b"]`))
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, s)

	_, err = transformer.Model[[]string, any]().Decode(message.KindText, []byte(`{"a":1}`))
	ce = requireClose(t, err, message.InvalidPayload)
	assert.Equal(t, `want array, got object`, ce.Reason)

	v, err := transformer.Model[any, any]().Decode(message.KindText, []byte(`null`))
	require.NoError(t, err)
	assert.Nil(t, v)
}

type nested struct {
	Name  string `json:"name,required"`
	Point struct {
		X int8 `json:"x"`
	} `json:"point"`
	Count uint `json:"count"`
}

func TestModelNestedFieldErrors(t *testing.T) {
	tr := transformer.Model[nested, nested]()
	tests := []struct{ in, reason string }{
		{`{"name":"n","point":{"x":"1"}}`, `field "point.x": want integer, got string`},
		{`{"name":"n","point":{"x":300}}`, `field "point.x": number 300 does not fit int8`},
		{`{"name":"n","point":{"x":1.5}}`, `field "point.x": number 1.5 does not fit int8`},
		{`{"name":"n","count":-1}`, `field "count": number -1 does not fit uint`},
		{`{"name":"n","point":[]}`, `field "point": want object, got array`},
		{`{"name":"n","point":{"y":1}}`, `unknown field "y"`},
	}
	for _, tt := range tests {
		_, err := tr.Decode(message.KindText, []byte(tt.in))
		ce := requireClose(t, err, message.InvalidPayload)
		assert.Equal(t, tt.reason, ce.Reason, "input %s", tt.in)
	}
}

// ranged rejects a zero B with a FieldError, and a negative one with a
// close error of its own.
type ranged struct {
	B int `json:"b"`
}

func (r *ranged) Validate() error {
	switch {
	case r.B == 0:
		return &transformer.FieldError{Field: "b", Problem: "must not be zero"}
	case r.B < 0:
		return message.NewCloseError(message.PolicyViolation, "negative b")
	case r.B > 100:
		return errors.New("b is too large")
	}
	return nil
}

func TestModelValidate(t *testing.T) {
	tr := transformer.Model[ranged, ranged]()

	got, err := tr.Decode(message.KindText, []byte(`{"b":7}`))
	require.NoError(t, err)
	assert.Equal(t, ranged{B: 7}, got)

	_, err = tr.Decode(message.KindText, []byte(`{"b":0}`))
	ce := requireClose(t, err, message.InvalidPayload)
	assert.Equal(t, `field "b": must not be zero`, ce.Reason)

	_, err = tr.Decode(message.KindText, []byte(`{"b":-1}`))
	ce = requireClose(t, err, message.PolicyViolation)
	assert.Equal(t, "negative b", ce.Reason, "a close error from Validate keeps its code")

	_, err = tr.Decode(message.KindText, []byte(`{"b":101}`))
	ce = requireClose(t, err, message.InvalidPayload)
	assert.Equal(t, "b is too large", ce.Reason)
}

func TestFieldError(t *testing.T) {
	err := error(&transformer.FieldError{Field: "b", Problem: "must not be zero"})
	assert.EqualError(t, err, `field "b": must not be zero`)
	var fe *transformer.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "b", fe.Field)
}

type reply struct {
	Op     string  `json:"op"`
	Result float64 `json:"result,omitempty"`
	Error  string  `json:"error,omitempty"`
}

func TestModelEncode(t *testing.T) {
	tr := transformer.Model[calc, reply]()

	kind, out, err := tr.Encode([]byte("x"), reply{Op: "add", Result: 3})
	require.NoError(t, err)
	assert.Equal(t, message.KindText, kind)
	assert.Equal(t, `x{"op":"add","result":3}`, string(out), "Encode appends to dst, with no trailing newline")

	_, out, err = tr.Encode(nil, reply{Op: "div", Error: "a <b> & c"})
	require.NoError(t, err)
	assert.Equal(t, `{"op":"div","error":"a <b> & c"}`, string(out), "HTML is not escaped")
}

func TestModelEncodeError(t *testing.T) {
	dst := []byte("kept")
	_, out, err := transformer.Model[any, float64]().Encode(dst, math.NaN())
	require.Error(t, err)
	var ce *message.CloseError
	assert.NotErrorAs(t, err, &ce, "a value that cannot be encoded is the server's fault")
	assert.Equal(t, "kept", string(out), "dst is returned unchanged")

	_, _, err = transformer.Model[any, any]().Encode(nil, make(chan int))
	require.Error(t, err)
}

func TestModelRoundTrip(t *testing.T) {
	tr := transformer.Model[calc, calc]()
	in := calc{Op: "div", A: 1.5, B: -2e10}
	_, out, err := tr.Encode(nil, in)
	require.NoError(t, err)
	got, err := tr.Decode(message.KindText, out)
	require.NoError(t, err)
	assert.Equal(t, in, got)
}

// TestModelConcurrent runs one Model from many goroutines, as many
// connections of a route do; run it with -race.
func TestModelConcurrent(t *testing.T) {
	tr := transformer.Model[calc, calc]()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				_, err := tr.Decode(message.KindText, []byte(`{"op":"add","a":1,"b":2}`))
				assert.NoError(t, err)
				_, err = tr.Decode(message.KindText, []byte(`{"op":"add","a":1}`))
				assert.Error(t, err)
			}
		})
	}
	wg.Wait()
}

func TestModelReasonIsTrimmed(t *testing.T) {
	key := strings.Repeat("é", 200)
	_, err := transformer.Model[calc, calc]().Decode(message.KindText, []byte(`{"`+key+`":1}`))
	ce := requireClose(t, err, message.InvalidPayload)
	assert.True(t, strings.HasPrefix(ce.Reason, `unknown field "éé`), ce.Reason)
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}
