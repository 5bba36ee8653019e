package message_test

import (
	"errors"
	"fmt"

	"github.com/wsflow/wsflow/message"
)

func ExampleCloseFor() {
	// What a socket closes with when its flow ends with each error.
	fmt.Println(message.CloseFor(nil))
	fmt.Println(message.CloseFor(message.NewCloseError(message.PolicyViolation, `unknown command "jump"`)))
	fmt.Println(message.CloseFor(errors.New("database password is hunter2")))
	// Output:
	// 1000 normal closure
	// 1008 policy violation: "unknown command \"jump\""
	// 1011 internal error: "internal error"
}

func ExampleTrimReason() {
	reason := message.TrimReason("close reasons fit in 123 bytes: " + string(make([]rune, 200)))
	fmt.Println(len(reason))
	// Output:
	// 123
}

func ExampleCode_Sendable() {
	for _, c := range []message.Code{message.NormalClosure, message.AbnormalClosure, 4000} {
		fmt.Println(c, c.Sendable())
	}
	// Output:
	// 1000 normal closure true
	// 1006 abnormal closure false
	// 4000 true
}
