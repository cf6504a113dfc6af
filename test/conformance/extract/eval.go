package main

import (
	"fmt"
	"go/ast"
	"go/token"
	"sort"
	"strconv"
	"strings"
)

// eval evaluates an expression. It never fails: what it cannot compute becomes Unresolved
// (static code it does not understand) or Runtime (data that only exists while the suite runs).
func (in *Interp) eval(e ast.Expr, env *Env) Value {
	switch e := e.(type) {
	case *ast.BasicLit:
		return evalBasicLit(e)
	case *ast.Ident:
		return in.evalIdent(e, env)
	case *ast.ParenExpr:
		return in.eval(e.X, env)
	case *ast.SelectorExpr:
		if id, ok := e.X.(*ast.Ident); ok && env.lookupVar(id.Name) == nil && !in.isPkgLevelName(env, id.Name) {
			if path, ok := env.pkg.importPath(env.file, id.Name); ok {
				return in.qualified(path, e.Sel.Name, e, env)
			}
		}
		return in.selectField(in.eval(e.X, env), e.Sel.Name, e, env)
	case *ast.CompositeLit:
		return in.composite(e, env, nil)
	case *ast.UnaryExpr:
		return in.evalUnary(e, env)
	case *ast.BinaryExpr:
		return in.evalBinary(e, env)
	case *ast.CallExpr:
		return in.call(e, env)
	case *ast.IndexExpr:
		return in.evalIndex(e, env)
	case *ast.StarExpr:
		return in.eval(e.X, env)
	case *ast.FuncLit:
		return &Closure{Type: e.Type, Body: e.Body, Env: env, Pos: e.Pos(), Name: "func literal at " + in.pos(e.Pos())}
	case *ast.SliceExpr:
		x := in.eval(e.X, env)
		if s, ok := x.(string); ok {
			lo, hi := int64(0), int64(len(s))
			if e.Low != nil {
				if v, ok := in.eval(e.Low, env).(int64); ok {
					lo = v
				} else {
					return in.opaque(e, env, x)
				}
			}
			if e.High != nil {
				if v, ok := in.eval(e.High, env).(int64); ok {
					hi = v
				} else {
					return in.opaque(e, env, x)
				}
			}
			if lo >= 0 && hi <= int64(len(s)) && lo <= hi {
				return s[lo:hi]
			}
		}
		return in.opaque(e, env, x)
	case *ast.TypeAssertExpr:
		return in.opaque(e, env, in.eval(e.X, env))
	case *ast.KeyValueExpr:
		return in.unresolved(e, "key/value outside a composite literal")
	}
	return in.unresolved(e, fmt.Sprintf("unsupported expression %T", e))
}

func evalBasicLit(e *ast.BasicLit) Value {
	switch e.Kind {
	case token.INT:
		if v, err := strconv.ParseInt(strings.ReplaceAll(e.Value, "_", ""), 0, 64); err == nil {
			return v
		}
	case token.FLOAT:
		if v, err := strconv.ParseFloat(strings.ReplaceAll(e.Value, "_", ""), 64); err == nil {
			return v
		}
	case token.STRING:
		if v, err := strconv.Unquote(e.Value); err == nil {
			return v
		}
	case token.CHAR:
		if v, _, _, err := strconv.UnquoteChar(strings.Trim(e.Value, "'"), '\''); err == nil {
			return int64(v)
		}
	}
	return Unresolved{Source: e.Value, Reason: "bad literal"}
}

// isPkgLevelName reports whether name is declared at package level in env's package, where it
// shadows an import of the same name.
func (in *Interp) isPkgLevelName(env *Env, name string) bool {
	p := env.pkg
	if p == nil {
		return false
	}
	_, c := p.consts[name]
	_, v := p.vars[name]
	_, f := p.funcs[name]
	return c || v || f
}

func (in *Interp) evalIdent(e *ast.Ident, env *Env) Value {
	if v := env.lookupVar(e.Name); v != nil {
		return v.V
	}
	if t := env.lookupType(e.Name); t != nil {
		return t
	}
	switch e.Name {
	case "nil":
		return nil
	case "true":
		return true
	case "false":
		return false
	}
	if env.pkg != nil {
		if v, ok := in.pkgValue(env.pkg, e.Name); ok {
			return v
		}
	}
	if basicTypes[e.Name] {
		return &TypeInfo{Kind: "basic", Name: e.Name}
	}
	return in.unresolved(e, "unknown identifier")
}

// pkgValue evaluates a package-level name: consts and vars (memoised), functions as closures,
// types as TypeInfo.
func (in *Interp) pkgValue(p *Package, name string) (Value, bool) {
	if v, ok := p.memo[name]; ok {
		return v, true
	}
	if fd, ok := p.funcs[name]; ok {
		c := &Closure{Type: fd.Type, Body: fd.Body, Env: &Env{pkg: p, file: p.fileOf[fd], scope: newScope(nil)}, Pos: fd.Pos(), Name: p.Short + "." + name}
		p.memo[name] = c
		return c, true
	}
	if td, ok := p.types[name]; ok {
		return in.namedType(p, name, td), true
	}
	vd, ok := p.consts[name]
	if !ok {
		vd, ok = p.vars[name]
	}
	if !ok {
		return nil, false
	}
	if p.evaluating[name] {
		return Unresolved{Source: p.Short + "." + name, Pos: in.pos(vd.pos), Reason: "initialisation cycle"}, true
	}
	p.evaluating[name] = true
	defer delete(p.evaluating, name)
	env := &Env{pkg: p, file: vd.file, scope: newScope(nil)}
	env.define("iota", int64(vd.iota), 0)
	var v Value
	switch {
	case vd.expr != nil:
		var t *TypeInfo
		if vd.typ != nil {
			t = in.typeOf(vd.typ, env)
		}
		if cl, ok := vd.expr.(*ast.CompositeLit); ok {
			v = in.composite(cl, env, t)
		} else {
			v = in.eval(vd.expr, env)
		}
		if tup, ok := v.(Tuple); ok && vd.index >= 0 && vd.index < len(tup) {
			v = tup[vd.index]
		}
	case vd.typ != nil:
		v = zeroValue(in.typeOf(vd.typ, env))
	}
	p.memo[name] = v
	return v, true
}

// qualified evaluates pkg.Name for a package referred to by import path.
func (in *Interp) qualified(path, name string, e ast.Expr, env *Env) Value {
	if p, _ := in.ld.Load(path); p != nil {
		if v, ok := in.pkgValue(p, name); ok {
			if p.Path == gatewayAPIModule+"/pkg/features" {
				if s, ok := v.(string); ok {
					in.featureIdents[name] = s
				}
			}
			return v
		}
		return in.unresolved(e, "not declared in "+path)
	}
	short := shortName(path)
	if v, ok := externalValues[short+"."+name]; ok {
		return v
	}
	if strings.HasPrefix(short+"."+name, "codes.") {
		return name
	}
	if t := in.typeOf(e, env); t != nil {
		return t
	}
	return Runtime{Desc: in.src(e)}
}

// externalValues are the few constants from unparsed packages that expectations use.
var externalValues = map[string]Value{
	"metav1.ConditionTrue":    "True",
	"metav1.ConditionFalse":   "False",
	"metav1.ConditionUnknown": "Unknown",
	"time.Nanosecond":         int64(1),
	"time.Microsecond":        int64(1000),
	"time.Millisecond":        int64(1000000),
	"time.Second":             int64(1000000000),
	"time.Minute":             int64(60000000000),
	"time.Hour":               int64(3600000000000),
	"http.MethodGet":          "GET",
	"http.MethodPost":         "POST",
	"http.MethodPut":          "PUT",
	"http.MethodDelete":       "DELETE",
	"http.MethodPatch":        "PATCH",
	"http.MethodHead":         "HEAD",
	"http.MethodOptions":      "OPTIONS",
	"http.StatusOK":           int64(200),
	"corev1.ProtocolTCP":      "TCP",
	"corev1.ProtocolUDP":      "UDP",
}

// grpcCodes maps gRPC status code names to numbers (google.golang.org/grpc/codes).
var grpcCodes = map[string]int64{
	"OK": 0, "Canceled": 1, "Unknown": 2, "InvalidArgument": 3, "DeadlineExceeded": 4, "NotFound": 5,
	"AlreadyExists": 6, "PermissionDenied": 7, "ResourceExhausted": 8, "FailedPrecondition": 9,
	"Aborted": 10, "OutOfRange": 11, "Unimplemented": 12, "Internal": 13, "Unavailable": 14,
	"DataLoss": 15, "Unauthenticated": 16,
}

// selectField evaluates x.name for an already evaluated x.
func (in *Interp) selectField(x Value, name string, e ast.Expr, env *Env) Value {
	switch x := x.(type) {
	case Symbol:
		return symbolField(x, name, in.src(e))
	case *Object:
		if v, ok := lookupField(x, name); ok {
			return v
		}
		if x.Tracked {
			return Runtime{Desc: in.src(e)}
		}
		if x.IsMap {
			return in.unresolved(e, "selector on a map")
		}
		// A field the literal left out has its zero value. Without the field's type (external
		// types such as metav1.Condition) nil stands in for it.
		if f := x.Type.field(name); f != nil {
			return zeroValue(f.Type)
		}
		return nil
	case Runtime:
		return Runtime{Desc: in.src(e)}
	case Unresolved:
		return x
	case nil:
		return in.unresolved(e, "selector on nil")
	}
	return in.unresolved(e, fmt.Sprintf("selector on %T", x))
}

// lookupField finds a field, following embedded fields as Go's promotion rules do.
func lookupField(o *Object, name string) (Value, bool) {
	if o == nil {
		return nil, false
	}
	if v, ok := o.Fields[name]; ok {
		return v, true
	}
	if o.IsMap {
		return nil, false
	}
	for _, k := range o.Keys {
		f := o.Type.field(k)
		if f == nil || !f.Embedded {
			continue
		}
		if inner, ok := o.Fields[k].(*Object); ok {
			if v, ok := lookupField(inner, name); ok {
				return v, true
			}
		}
	}
	return nil, false
}

// symbolField maps fields of the suite handle to placeholders. The controller name and
// GatewayClass name are parameters of a run, so they become "$CONTROLLER" and
// "$GATEWAY_CLASS_NAME"; timeouts and clients stay opaque symbols.
func symbolField(s Symbol, name, src string) Value {
	switch s.Name {
	case "suite":
		switch name {
		case "ControllerName":
			return Symbol{Name: "$CONTROLLER"}
		case "GatewayClassName":
			return Symbol{Name: "$GATEWAY_CLASS_NAME"}
		case "Client", "Clientset", "RoundTripper", "GRPCClient", "TimeoutConfig", "Applier",
			"SupportedFeatures", "CleanupTestResources", "WebSocketDialer", "RestConfig":
			return Symbol{Name: "suite." + name}
		}
		return Runtime{Desc: src}
	case "suite.TimeoutConfig":
		return Symbol{Name: "timeout." + name}
	}
	return Runtime{Desc: src}
}

// zeroValue is Go's zero value for t, as far as JSON output cares.
func zeroValue(t *TypeInfo) Value {
	if t == nil {
		return nil
	}
	switch t.Kind {
	case "basic":
		switch t.Name {
		case "string":
			return ""
		case "bool":
			return false
		case "float32", "float64":
			return float64(0)
		case "error", "any", "?", "generic":
			return nil
		}
		return int64(0)
	case "named":
		if t.underlying != nil {
			return nil
		}
		if len(t.Fields) > 0 {
			return newObject(t, token.NoPos)
		}
		// Named basic types of the API packages (Kind, SectionName, PortNumber...) are strings or
		// ints; without the underlying type at hand nil is the honest answer.
		return nil
	case "struct":
		return newObject(t, token.NoPos)
	}
	return nil
}

func (in *Interp) evalUnary(e *ast.UnaryExpr, env *Env) Value {
	if e.Op == token.AND {
		if cl, ok := e.X.(*ast.CompositeLit); ok {
			v := in.composite(cl, env, nil)
			if o, ok := v.(*Object); ok {
				o.Ptr = true
			}
			return v
		}
		return in.eval(e.X, env)
	}
	x := in.eval(e.X, env)
	switch e.Op {
	case token.NOT:
		if b, ok := x.(bool); ok {
			return !b
		}
	case token.SUB:
		switch v := x.(type) {
		case int64:
			return -v
		case float64:
			return -v
		}
	case token.ADD:
		return x
	case token.ARROW:
		return Runtime{Desc: in.src(e)}
	}
	return in.opaque(e, env, x)
}

func (in *Interp) evalBinary(e *ast.BinaryExpr, env *Env) Value {
	x := in.eval(e.X, env)
	// Short-circuit like Go does, so `a && b` with a known false a never needs b.
	if e.Op == token.LAND {
		if b, ok := x.(bool); ok && !b {
			return false
		}
	}
	if e.Op == token.LOR {
		if b, ok := x.(bool); ok && b {
			return true
		}
	}
	y := in.eval(e.Y, env)
	if v, ok := binaryOp(e.Op, x, y); ok {
		return v
	}
	return in.opaque(e, env, x, y)
}

func binaryOp(op token.Token, x, y Value) (Value, bool) {
	switch a := x.(type) {
	case string:
		b, ok := y.(string)
		if !ok {
			if op == token.EQL || op == token.NEQ {
				if y == nil {
					return op == token.NEQ, false
				}
			}
			return nil, false
		}
		switch op {
		case token.ADD:
			return a + b, true
		case token.EQL:
			return a == b, true
		case token.NEQ:
			return a != b, true
		case token.LSS:
			return a < b, true
		case token.GTR:
			return a > b, true
		}
	case int64:
		switch b := y.(type) {
		case int64:
			return intOp(op, a, b)
		case float64:
			return floatOp(op, float64(a), b)
		}
	case float64:
		switch b := y.(type) {
		case int64:
			return floatOp(op, a, float64(b))
		case float64:
			return floatOp(op, a, b)
		}
	case bool:
		b, ok := y.(bool)
		if !ok {
			return nil, false
		}
		switch op {
		case token.LAND:
			return a && b, true
		case token.LOR:
			return a || b, true
		case token.EQL:
			return a == b, true
		case token.NEQ:
			return a != b, true
		}
	case Symbol:
		// Handles such as suite.GRPCClient are never nil in the model.
		if y == nil && (op == token.EQL || op == token.NEQ) {
			return op == token.NEQ, true
		}
	}
	return nil, false
}

func intOp(op token.Token, a, b int64) (Value, bool) {
	switch op {
	case token.ADD:
		return a + b, true
	case token.SUB:
		return a - b, true
	case token.MUL:
		return a * b, true
	case token.QUO:
		if b != 0 {
			return a / b, true
		}
	case token.REM:
		if b != 0 {
			return a % b, true
		}
	case token.SHL:
		return a << uint(b), true
	case token.SHR:
		return a >> uint(b), true
	case token.AND:
		return a & b, true
	case token.OR:
		return a | b, true
	case token.EQL:
		return a == b, true
	case token.NEQ:
		return a != b, true
	case token.LSS:
		return a < b, true
	case token.LEQ:
		return a <= b, true
	case token.GTR:
		return a > b, true
	case token.GEQ:
		return a >= b, true
	}
	return nil, false
}

func floatOp(op token.Token, a, b float64) (Value, bool) {
	switch op {
	case token.ADD:
		return a + b, true
	case token.SUB:
		return a - b, true
	case token.MUL:
		return a * b, true
	case token.QUO:
		if b != 0 {
			return a / b, true
		}
	case token.EQL:
		return a == b, true
	case token.NEQ:
		return a != b, true
	case token.LSS:
		return a < b, true
	case token.LEQ:
		return a <= b, true
	case token.GTR:
		return a > b, true
	case token.GEQ:
		return a >= b, true
	}
	return nil, false
}

func (in *Interp) evalIndex(e *ast.IndexExpr, env *Env) Value {
	x := in.eval(e.X, env)
	if _, ok := x.(*Closure); ok {
		return x // generic function instantiation f[T]
	}
	if t, ok := x.(*TypeInfo); ok {
		return t
	}
	idx := in.eval(e.Index, env)
	switch x := x.(type) {
	case *List:
		if i, ok := idx.(int64); ok {
			if i >= 0 && int(i) < len(x.Elems) {
				return x.Elems[i]
			}
			return in.unresolved(e, "index out of range")
		}
	case *Object:
		if x.IsMap {
			if k, ok := mapKey(idx); ok {
				if v, ok := x.Fields[k]; ok {
					return v
				}
				if x.Tracked {
					return Runtime{Desc: in.src(e)}
				}
				return zeroValue(x.Type.elemType())
			}
		}
		if x.Tracked {
			return Runtime{Desc: in.src(e)}
		}
	case string:
		if i, ok := idx.(int64); ok && i >= 0 && int(i) < len(x) {
			return int64(x[i])
		}
	}
	return in.opaque(e, env, x, idx)
}

func mapKey(v Value) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case int64:
		return strconv.FormatInt(v, 10), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return "", false
}

// opaque is the result of an operation the evaluator does not model. If any operand depends on
// run-time data the result does too; otherwise the expression is unresolved.
func (in *Interp) opaque(e ast.Node, env *Env, operands ...Value) Value {
	for _, o := range operands {
		switch o := o.(type) {
		case Runtime, Symbol:
			return Runtime{Desc: in.src(e)}
		case Unresolved:
			return o
		}
	}
	return in.unresolved(e, "operation not modelled")
}

// composite evaluates a composite literal. want is the element type implied by an enclosing
// literal when the literal elides its own type.
func (in *Interp) composite(e *ast.CompositeLit, env *Env, want *TypeInfo) Value {
	t := want
	if e.Type != nil {
		if tt := in.typeOf(e.Type, env); tt != nil {
			t = tt
		}
	}
	ptr := false
	if t != nil && t.Kind == "ptr" {
		// An elided &T{...} element inside []*T{...}.
		ptr = true
	}
	switch {
	case t.isSliceLike():
		l := &List{Type: t, Pos: e.Pos()}
		elem := t.elemType()
		for _, el := range e.Elts {
			if kv, ok := el.(*ast.KeyValueExpr); ok {
				el = kv.Value // indexed array literal: keep element order, ignore indices
			}
			l.Elems = append(l.Elems, in.element(el, env, elem))
		}
		return l
	case t.isMap():
		o := newObject(t, e.Pos())
		o.IsMap = true
		elem := t.elemType()
		if t.is("url", "Values") {
			elem = &TypeInfo{Kind: "slice", Elem: &TypeInfo{Kind: "basic", Name: "string"}}
		}
		for _, el := range e.Elts {
			kv, ok := el.(*ast.KeyValueExpr)
			if !ok {
				continue
			}
			kval := in.eval(kv.Key, env)
			k, ok := mapKey(kval)
			if !ok {
				k = in.src(kv.Key)
			}
			o.Set(k, in.element(kv.Value, env, elem))
		}
		return o
	}
	o := newObject(t, e.Pos())
	o.Ptr = ptr
	st := t.deref()
	for i, el := range e.Elts {
		if kv, ok := el.(*ast.KeyValueExpr); ok {
			key, ok := kv.Key.(*ast.Ident)
			if !ok {
				o.Set(in.src(kv.Key), in.eval(kv.Value, env))
				continue
			}
			var ft *TypeInfo
			if f := st.field(key.Name); f != nil {
				ft = f.Type
			}
			o.Set(key.Name, in.element(kv.Value, env, ft))
			continue
		}
		// Positional struct literal: needs the field list.
		if st != nil && i < len(st.Fields) {
			o.Set(st.Fields[i].Name, in.element(el, env, st.Fields[i].Type))
		} else {
			o.Set(fmt.Sprintf("$%d", i), in.eval(el, env))
		}
	}
	return o
}

// element evaluates an element of a composite literal, supplying the implied type to elided
// nested literals ({...} inside []T{...}).
func (in *Interp) element(el ast.Expr, env *Env, t *TypeInfo) Value {
	if cl, ok := el.(*ast.CompositeLit); ok {
		return in.composite(cl, env, t)
	}
	if u, ok := el.(*ast.UnaryExpr); ok && u.Op == token.AND {
		if cl, ok := u.X.(*ast.CompositeLit); ok {
			v := in.composite(cl, env, t.deref())
			if o, ok := v.(*Object); ok {
				o.Ptr = true
			}
			return v
		}
	}
	return in.eval(el, env)
}

// sortedKeys returns map keys sorted, for deterministic iteration over Go maps.
func sortedKeys(o *Object) []string {
	keys := append([]string(nil), o.Keys...)
	sort.Strings(keys)
	return keys
}
