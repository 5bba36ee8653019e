package demo

import (
	"math"

	"github.com/wsflow/wsflow/transformer"
)

// CalcRequest is a message of the /model socket: an operation on two
// numbers, e.g. {"op":"add","a":1,"b":2}. All three fields are required.
type CalcRequest struct {
	Op string  `json:"op,required"`
	A  float64 `json:"a,required"`
	B  float64 `json:"b,required"`
}

// Validate rejects an operation other than add, sub, mul and div.
func (r CalcRequest) Validate() error {
	switch r.Op {
	case "add", "sub", "mul", "div":
		return nil
	}
	return &transformer.FieldError{Field: "op", Problem: "must be add, sub, mul or div"}
}

// CalcResponse is the answer to a CalcRequest: the operation and either
// its result or, when there is none, the error.
type CalcResponse struct {
	Op     string   `json:"op"`
	Result *float64 `json:"result,omitempty"`
	Error  string   `json:"error,omitempty"`
}

// calculate answers req. Division by zero, and a result too large for a
// float64 (JSON has no infinity), are answered with an error.
func calculate(req CalcRequest) CalcResponse {
	var v float64
	switch req.Op {
	case "add":
		v = req.A + req.B
	case "sub":
		v = req.A - req.B
	case "mul":
		v = req.A * req.B
	case "div":
		if req.B == 0 {
			return CalcResponse{Op: req.Op, Error: "division by zero"}
		}
		v = req.A / req.B
	}
	if math.IsInf(v, 0) {
		return CalcResponse{Op: req.Op, Error: "result out of range"}
	}
	return CalcResponse{Op: req.Op, Result: &v}
}
