package transformer_test

import (
	"strings"
	"testing"

	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/transformer"
)

var (
	benchText  = []byte(strings.Repeat("hello, world ", 10))
	benchJSON  = []byte(`{ "user": "ada", "tags": [ "a", "b", "c" ], "point": { "x": 1.5, "y": -2 }, "ok": true }`)
	benchModel = []byte(`{"op":"add","a":1.5,"b":2}`)
)

func BenchmarkStringDecode(b *testing.B) {
	tr := transformer.String()
	b.SetBytes(int64(len(benchText)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tr.Decode(message.KindText, benchText); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkStringEncode(b *testing.B) {
	tr := transformer.String()
	s := string(benchText)
	dst := make([]byte, 0, len(s))
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		_, dst, _ = tr.Encode(dst[:0], s)
	}
}

func BenchmarkBytesDecode(b *testing.B) {
	tr := transformer.Bytes()
	b.SetBytes(int64(len(benchText)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tr.Decode(message.KindBinary, benchText); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkJSONDecode(b *testing.B) {
	tr := transformer.JSON()
	b.SetBytes(int64(len(benchJSON)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tr.Decode(message.KindText, benchJSON); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkModelDecode(b *testing.B) {
	tr := transformer.Model[calc, calc]()
	b.SetBytes(int64(len(benchModel)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tr.Decode(message.KindText, benchModel); err != nil {
			b.Fatal(err)
		}
	}
}
