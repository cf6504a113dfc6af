package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/token"
	"slices"
	"sort"
	"strings"
)

// Value is the result of statically evaluating a Go expression. It is one of:
//
//	nil                      Go nil or an absent value
//	string, int64, float64, bool
//	*List                    slice or array literal
//	*Object                  struct or map literal (or a Kubernetes object read from the cluster)
//	Runtime                  a value only known when the suite runs (addresses, certificates, reads)
//	Unresolved               an expression the extractor could not evaluate
//	Symbol                   a well-known handle (t, suite, suite.Client, the controller name, ...)
//	*Closure                 a function literal or declaration with its defining environment
//	Tuple                    the results of a multi-value call
//	*TypeInfo                an expression that denotes a type (used for conversions)
type Value any

// List is a slice or array value.
type List struct {
	Type  *TypeInfo
	Elems []Value
	Pos   token.Pos
}

// Object is a struct or map value. Struct fields are keyed by their Go names; JSON names are
// chosen only on output, so the evaluator can follow `x.Field` selectors.
type Object struct {
	Type   *TypeInfo
	Keys   []string
	Fields map[string]Value
	IsMap  bool
	// Ptr marks values created with &T{}, new(T) or returned by helpers: assigning them shares
	// the object, whereas assigning a plain struct value copies it as Go does.
	Ptr bool
	Pos token.Pos
	// Tracked objects mirror live cluster objects (read with Client.Get or DeepCopy'd from one).
	// Reading an unknown field of a tracked object yields a Runtime value, and assignments to
	// its fields are recorded as Edits until the object is written back with Patch/Update.
	Tracked bool
	Ref     *ObjRef
	Edits   []Edit
}

// ObjRef identifies a Kubernetes object.
type ObjRef struct {
	Namespace Value
	Name      Value
}

// Edit is one field assignment made from Go code to a Kubernetes object before it is written.
type Edit struct {
	Path   string // JSON-ish path, e.g. spec.rules[0].backendRefs[0].name
	Op     string // "set" or "append"
	Value  Value
	Source string
	Pos    string
}

// Runtime stands for a value computed when the suite runs. Info carries whatever the extractor
// does know about it (for a Gateway address: which Gateway and listeners).
type Runtime struct {
	Desc     string
	TypeName string
	Info     *OMap
	Data     any // Go-side payload for the evaluator (never serialised)
}

// Unresolved is an expression the extractor could not evaluate statically.
type Unresolved struct {
	Source string
	Pos    string
	Reason string
}

// Symbol is a named handle with no data of its own (t, the suite, its client, timeouts...).
type Symbol struct{ Name string }

// Tuple holds the results of a call returning several values.
type Tuple []Value

// Closure is a function value together with the environment it was defined in.
type Closure struct {
	Type *ast.FuncType
	Body *ast.BlockStmt
	Env  *Env
	Pos  token.Pos
	Name string
}

// TypeInfo describes a Go type well enough to build composite literals and name objects.
type TypeInfo struct {
	Kind   string // "named", "slice", "array", "map", "ptr", "struct", "func", "basic", "iface"
	Pkg    string // canonical short package name of a named type ("" for builtin or local)
	Path   string // import path of a named type
	Name   string
	Elem   *TypeInfo
	Key    *TypeInfo
	Fields []fieldInfo // for struct types (anonymous, or named types from parsed packages)
	// underlying is the composite type behind a named slice or map type.
	underlying *TypeInfo
}

type fieldInfo struct {
	Name      string
	JSON      string // json tag name, "" when absent
	Inline    bool   // embedded field or `json:",inline"`
	Embedded  bool
	OmitEmpty bool // `omitempty` or `omitzero`
	Type      *TypeInfo
}

func (t *TypeInfo) String() string {
	if t == nil {
		return ""
	}
	switch t.Kind {
	case "named":
		if t.Pkg == "" {
			return t.Name
		}
		return t.Pkg + "." + t.Name
	case "basic":
		return t.Name
	case "ptr":
		return "*" + t.Elem.String()
	case "slice":
		return "[]" + t.Elem.String()
	case "array":
		return "[...]" + t.Elem.String()
	case "map":
		return "map[" + t.Key.String() + "]" + t.Elem.String()
	case "struct":
		return "struct{...}"
	}
	return t.Kind
}

// deref strips pointer types.
func (t *TypeInfo) deref() *TypeInfo {
	for t != nil && t.Kind == "ptr" {
		t = t.Elem
	}
	return t
}

// is reports whether t (after dereferencing) is the named type pkg.name.
func (t *TypeInfo) is(pkg, name string) bool {
	t = t.deref()
	return t != nil && t.Kind == "named" && t.Pkg == pkg && t.Name == name
}

func (t *TypeInfo) field(name string) *fieldInfo {
	t = t.deref()
	if t == nil {
		return nil
	}
	for i := range t.Fields {
		if t.Fields[i].Name == name {
			return &t.Fields[i]
		}
	}
	return nil
}

func newObject(t *TypeInfo, pos token.Pos) *Object {
	return &Object{Type: t, Fields: map[string]Value{}, Pos: pos}
}

func (o *Object) Set(k string, v Value) {
	if _, ok := o.Fields[k]; !ok {
		o.Keys = append(o.Keys, k)
	}
	o.Fields[k] = v
}

func (o *Object) Get(k string) (Value, bool) {
	v, ok := o.Fields[k]
	return v, ok
}

// clone copies an object deeply enough that field assignments on the copy do not leak back.
func (o *Object) clone() *Object {
	c := &Object{Type: o.Type, IsMap: o.IsMap, Pos: o.Pos, Tracked: o.Tracked, Ref: o.Ref, Fields: map[string]Value{}}
	c.Keys = append([]string(nil), o.Keys...)
	for k, v := range o.Fields {
		c.Fields[k] = cloneValue(v)
	}
	return c
}

func cloneValue(v Value) Value {
	switch v := v.(type) {
	case *Object:
		if v.Ptr {
			return v
		}
		return v.clone()
	case *List:
		return &List{Type: v.Type, Elems: append([]Value(nil), v.Elems...), Pos: v.Pos}
	}
	return v
}

// OMap is a JSON object that keeps its keys in insertion order, so output follows the source.
type OMap struct {
	keys []string
	vals map[string]any
}

func NewOMap() *OMap { return &OMap{vals: map[string]any{}} }

func (m *OMap) Set(k string, v any) *OMap {
	if _, ok := m.vals[k]; !ok {
		m.keys = append(m.keys, k)
	}
	m.vals[k] = v
	return m
}

// SetIf sets k only when v is not empty (nil, "", empty slice/map).
func (m *OMap) SetIf(k string, v any) *OMap {
	if !isEmptyJSON(v) {
		m.Set(k, v)
	}
	return m
}

func (m *OMap) Get(k string) (any, bool) {
	if m == nil {
		return nil, false
	}
	v, ok := m.vals[k]
	return v, ok
}

func (m *OMap) Delete(k string) {
	if _, ok := m.vals[k]; !ok {
		return
	}
	delete(m.vals, k)
	m.keys = slices.DeleteFunc(m.keys, func(s string) bool { return s == k })
}

func (m *OMap) Len() int {
	if m == nil {
		return 0
	}
	return len(m.keys)
}

func (m *OMap) Keys() []string { return m.keys }

func (m *OMap) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range m.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, err := marshalNoEscape(k)
		if err != nil {
			return nil, err
		}
		b.Write(kb)
		b.WriteByte(':')
		vb, err := marshalNoEscape(m.vals[k])
		if err != nil {
			return nil, err
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// marshalNoEscape is json.Marshal without HTML escaping, so paths like "/?a=1&b=2" stay legible.
func marshalNoEscape(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

func isEmptyJSON(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return v == ""
	case []any:
		return len(v) == 0
	case []string:
		return len(v) == 0
	case *OMap:
		return v == nil || len(v.keys) == 0
	}
	return false
}

// lowerCamel turns a Go field name into the usual Kubernetes JSON name (APIVersion → apiVersion).
func lowerCamel(s string) string {
	if s == "" {
		return s
	}
	// Leading run of upper-case letters: lower all but the last when followed by lower case.
	i := 0
	for i < len(s) && s[i] >= 'A' && s[i] <= 'Z' {
		i++
	}
	switch {
	case i == 0:
		return s
	case i == 1:
		return strings.ToLower(s[:1]) + s[1:]
	case i == len(s):
		return strings.ToLower(s)
	default:
		return strings.ToLower(s[:i-1]) + s[i-1:]
	}
}

// toJSON converts an evaluated value to plain JSON data. Struct field names use json tags of
// parsed types, else lowerCamel; embedded and inline fields are flattened.
func toJSON(v Value) any {
	switch v := v.(type) {
	case nil:
		return nil
	case string, bool, int64, float64:
		return v
	case int:
		return int64(v)
	case *List:
		out := make([]any, 0, len(v.Elems))
		for _, e := range v.Elems {
			out = append(out, toJSON(e))
		}
		return out
	case *Object:
		return objectJSON(v)
	case Runtime:
		m := NewOMap().Set("$runtime", v.Desc)
		if v.Info != nil {
			for _, k := range v.Info.keys {
				m.Set(k, v.Info.vals[k])
			}
		}
		return m
	case Unresolved:
		m := NewOMap().Set("$unresolved", v.Source).Set("position", v.Pos)
		m.SetIf("reason", v.Reason)
		return m
	case Symbol:
		if strings.HasPrefix(v.Name, "$") {
			return v.Name
		}
		return NewOMap().Set("$symbol", v.Name)
	case *Closure:
		return NewOMap().Set("$func", v.Name)
	case Tuple:
		out := make([]any, 0, len(v))
		for _, e := range v {
			out = append(out, toJSON(e))
		}
		return out
	case *TypeInfo:
		return NewOMap().Set("$type", v.String())
	}
	return fmt.Sprintf("%v", v)
}

// requiredFields lists fields that expectation objects always carry in JSON even when the Go
// literal leaves them at their zero value, so consumers need not know Go's zero values. An
// empty condition reason means "any reason" to the suite's helpers.
var requiredFields = map[string][]string{
	"metav1.Condition":     {"Type", "Status", "Reason"},
	"types.NamespacedName": {"Namespace", "Name"},
}

func objectJSON(o *Object) *OMap {
	m := NewOMap()
	if t := o.Type.deref(); t != nil && !o.IsMap {
		req := requiredFields[t.String()]
		if strings.HasSuffix(t.Name, "Status") {
			for _, f := range t.Fields {
				if !f.OmitEmpty && !f.Inline && f.JSON != "" {
					req = append(req, f.Name)
				}
			}
		}
		for _, k := range req {
			if _, ok := o.Fields[k]; !ok {
				o = o.clone()
				var f *fieldInfo
				if f = t.field(k); f != nil && f.Type != nil && f.Type.isSliceLike() {
					o.Set(k, &List{})
				} else if f != nil {
					o.Set(k, zeroValue(f.Type))
				} else {
					o.Set(k, "")
				}
			}
		}
	}
	if o.IsMap {
		keys := append([]string(nil), o.Keys...)
		sort.Strings(keys)
		for _, k := range keys {
			m.Set(k, toJSON(o.Fields[k]))
		}
		return m
	}
	for _, k := range o.Keys {
		fv := o.Fields[k]
		f := o.Type.field(k)
		if f != nil && f.Inline {
			if inner, ok := fv.(*Object); ok {
				sub := objectJSON(inner)
				for _, sk := range sub.keys {
					m.Set(sk, sub.vals[sk])
				}
				continue
			}
		}
		name := lowerCamel(k)
		if f != nil && f.JSON != "" {
			name = f.JSON
		}
		if k == "ObjectMeta" {
			name = "metadata"
		}
		m.Set(name, toJSON(fv))
	}
	return m
}
