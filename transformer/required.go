package transformer

import (
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// required checks that a JSON object has a non-null member for each of a
// model's required fields.
//
// It decodes the object with encoding/json into a struct made for the
// purpose, with one presence field per required name, so that object keys
// match names exactly as they match the model's own fields: exactly, or
// else ignoring case.
type required struct {
	names []string     // the JSON names of the required fields
	typ   reflect.Type // struct{ F0 presence `json:"names[0],"`; ... }
}

// newRequired returns the required fields of t's top-level object, or nil
// if there are none. A field is required when its json tag has the option
// "required", as in `json:"op,required"`. t may be a struct or a pointer to
// one; fields of embedded structs without a JSON name belong to the
// top-level object too, as they do for encoding/json. Any other type has
// no required fields.
func newRequired(t reflect.Type) *required {
	t = structType(t)
	if t == nil {
		return nil
	}
	var names []string
	collectRequired(t, map[reflect.Type]bool{}, &names)
	if len(names) == 0 {
		return nil
	}
	fields := make([]reflect.StructField, len(names))
	for i, name := range names {
		fields[i] = reflect.StructField{
			Name: "F" + strconv.Itoa(i),
			Type: reflect.TypeFor[presence](),
			// The trailing comma keeps the name "-" from meaning "skip".
			Tag: reflect.StructTag(`json:` + strconv.Quote(name+",")),
		}
	}
	return &required{names: names, typ: reflect.StructOf(fields)}
}

// missing returns the name of the first required field that the JSON
// value in payload lacks or has as null, or "" if none is missing.
// payload must be valid JSON.
func (r *required) missing(payload []byte) (string, error) {
	v := reflect.New(r.typ)
	if err := json.Unmarshal(payload, v.Interface()); err != nil {
		return "", err
	}
	found := v.Elem()
	for i, name := range r.names {
		if !found.Field(i).Bool() {
			return name, nil
		}
	}
	return "", nil
}

// presence records whether an object member was present with a value other
// than null. Like encoding/json, it treats null as absent: a null member
// leaves the model's field unset.
type presence bool

// UnmarshalJSON records a non-null value.
func (p *presence) UnmarshalJSON(b []byte) error {
	if string(b) != "null" {
		*p = true
	}
	return nil
}

// structType returns t, or what t points to, if that is a struct, and nil
// otherwise.
func structType(t reflect.Type) reflect.Type {
	if t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	return t
}

func collectRequired(t reflect.Type, seen map[reflect.Type]bool, names *[]string) {
	if seen[t] {
		return
	}
	seen[t] = true
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, options, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			if embedded := structType(f.Type); embedded != nil {
				collectRequired(embedded, seen, names)
				continue
			}
		}
		if !f.IsExported() || !hasOption(options, "required") {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if !slices.Contains(*names, name) {
			*names = append(*names, name)
		}
	}
}

// hasOption reports whether the comma-separated tag options include opt.
func hasOption(options, opt string) bool {
	for o := range strings.SplitSeq(options, ",") {
		if o == opt {
			return true
		}
	}
	return false
}
