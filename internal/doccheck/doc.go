// Package doccheck type-checks the Go code blocks of the project's
// markdown documents, so that an example in a README cannot stop
// compiling unnoticed. Its test runs Check on README.md, README.zh-CN.md,
// the other markdown files at the module's root and those under docs/.
//
// Each ```go block of a document is one of:
//
//   - a whole file, with its package clause: checked as it is, alone;
//   - declarations (functions, types, variables): checked at package level;
//   - statements: checked as the body of a function of their own.
//
// The blocks of one document form one package, so a block may use what an
// earlier one declares. The names a document takes as given (the
// transformer t, the mux, the request's parameters parsed elsewhere) are
// declared in a file of givens, and the package a name like http or flow
// stands for is imported where the blocks use it. Unused variables and
// imports are not faults: a snippet need not use all it declares.
//
// An HTML comment on the line before a block's fence steers it:
//
//	<!-- compiled in: func(r *http.Request) (flow.Flow[string, string], error) -->
//
// checks the statements as the body of a function of that type (for a
// snippet that returns), and
//
//	<!-- not compiled: the reason -->
//
// leaves the block out; Check counts the blocks left out.
package doccheck
