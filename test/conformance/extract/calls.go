package main

import (
	"fmt"
	"go/ast"
	"go/token"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// call evaluates a call expression: conversions, builtins, the standard library subset the
// suite uses, the suite's own helpers (recorded as steps) and inlined local helpers.
func (in *Interp) call(e *ast.CallExpr, env *Env) Value {
	if t := in.conversionType(e.Fun, env); t != nil {
		if len(e.Args) != 1 {
			return in.unresolved(e, "conversion with wrong arity")
		}
		return convert(t, in.eval(e.Args[0], env))
	}
	switch fn := e.Fun.(type) {
	case *ast.Ident:
		if env.lookupVar(fn.Name) == nil && !in.isPkgLevelName(env, fn.Name) {
			if v, ok := in.builtin(fn.Name, e, env); ok {
				return v
			}
		}
	case *ast.SelectorExpr:
		if id, ok := fn.X.(*ast.Ident); ok && env.lookupVar(id.Name) == nil && !in.isPkgLevelName(env, id.Name) {
			if path, ok := env.pkg.importPath(env.file, id.Name); ok {
				return in.callPkgFunc(path, fn.Sel.Name, e, env)
			}
		}
		return in.callMethod(in.eval(fn.X, env), fn.Sel.Name, e, env)
	}
	return in.callValue(in.eval(e.Fun, env), e, env)
}

// conversionType returns the target type when fun denotes a type, i.e. the call is a conversion.
func (in *Interp) conversionType(fun ast.Expr, env *Env) *TypeInfo {
	switch f := fun.(type) {
	case *ast.Ident:
		if env.lookupVar(f.Name) != nil || in.isPkgLevelName(env, f.Name) {
			return nil
		}
	case *ast.SelectorExpr:
		if id, ok := f.X.(*ast.Ident); !ok || env.lookupVar(id.Name) != nil {
			return nil
		}
	case *ast.ParenExpr, *ast.ArrayType, *ast.StarExpr, *ast.MapType:
	default:
		return nil
	}
	return in.typeOf(fun, env)
}

// convert applies a conversion. Named string and integer types of the API packages carry the
// value unchanged, which is what JSON output needs.
func convert(t *TypeInfo, v Value) Value {
	if t.Kind == "basic" {
		switch t.Name {
		case "string":
			if n, ok := v.(int64); ok {
				return string(rune(n))
			}
		case "float32", "float64":
			if n, ok := v.(int64); ok {
				return float64(n)
			}
		case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
			if f, ok := v.(float64); ok {
				return int64(f)
			}
		}
	}
	return v
}

func (in *Interp) evalArgs(e *ast.CallExpr, env *Env) []Value {
	out := make([]Value, len(e.Args))
	for i, a := range e.Args {
		out[i] = in.eval(a, env)
		// Inside a weight sender, the Gateway address the samples go to is worth keeping even
		// when the sending code is opaque (raw UDP/TCP dials).
		if c := in.st.capture; c != nil && c.address == nil && isAddress(out[i]) {
			c.address = toJSON(out[i])
		}
	}
	return out
}

func (in *Interp) builtin(name string, e *ast.CallExpr, env *Env) (Value, bool) {
	switch name {
	case "len", "cap":
		if len(e.Args) != 1 {
			return nil, false
		}
		switch v := in.eval(e.Args[0], env).(type) {
		case string:
			return int64(len(v)), true
		case *List:
			return int64(len(v.Elems)), true
		case *Object:
			if v.IsMap && !v.Tracked {
				return int64(len(v.Keys)), true
			}
			return Runtime{Desc: in.src(e)}, true
		case nil:
			return int64(0), true
		default:
			return in.opaque(e, env, v), true
		}
	case "append":
		if len(e.Args) == 0 {
			return nil, false
		}
		base := in.eval(e.Args[0], env)
		var elems []Value
		var t *TypeInfo
		switch b := base.(type) {
		case *List:
			elems, t = append(elems, b.Elems...), b.Type
		case nil:
		default:
			for _, a := range e.Args[1:] {
				in.eval(a, env)
			}
			return in.opaque(e, env, base), true
		}
		rest := e.Args[1:]
		if e.Ellipsis.IsValid() && len(rest) == 1 {
			switch l := in.eval(rest[0], env).(type) {
			case *List:
				elems = append(elems, l.Elems...)
			case string:
				for i := 0; i < len(l); i++ {
					elems = append(elems, int64(l[i]))
				}
			default:
				return in.opaque(e, env, l), true
			}
		} else {
			for _, a := range rest {
				elems = append(elems, in.element(a, env, t.elemType()))
			}
		}
		return &List{Type: t, Elems: elems, Pos: e.Pos()}, true
	case "new":
		if len(e.Args) != 1 {
			return nil, false
		}
		if t := in.typeOf(e.Args[0], env); t != nil {
			v := zeroValue(t)
			if o, ok := v.(*Object); ok {
				o.Ptr = true
			}
			return v, true
		}
		// Go 1.26: new(expr) allocates a copy of expr's value.
		return in.eval(e.Args[0], env), true
	case "make":
		if len(e.Args) == 0 {
			return nil, false
		}
		t := in.typeOf(e.Args[0], env)
		if t.isMap() {
			o := newObject(t, e.Pos())
			o.IsMap = true
			return o, true
		}
		if len(e.Args) == 1 {
			return &List{Type: t, Pos: e.Pos()}, true
		}
		if n, ok := in.eval(e.Args[1], env).(int64); ok {
			l := &List{Type: t, Pos: e.Pos()}
			for i := int64(0); i < n; i++ {
				l.Elems = append(l.Elems, zeroValue(t.elemType()))
			}
			return l, true
		}
		return Runtime{Desc: in.src(e)}, true
	case "delete":
		args := in.evalArgs(e, env)
		if o, ok := args[0].(*Object); ok && len(args) == 2 {
			if k, ok := mapKey(args[1]); ok {
				if _, present := o.Fields[k]; present {
					delete(o.Fields, k)
					o.Keys = slices.DeleteFunc(o.Keys, func(s string) bool { return s == k })
				}
			}
		}
		return nil, true
	case "min", "max":
		args := in.evalArgs(e, env)
		var best Value
		for _, a := range args {
			if best == nil {
				best = a
				continue
			}
			less, ok := binaryOp(token.LSS, a, best)
			if !ok {
				return in.opaque(e, env, args...), true
			}
			if (name == "min") == (less == true) {
				best = a
			}
		}
		return best, true
	case "panic", "print", "println", "copy", "close", "clear":
		in.evalArgs(e, env)
		return nil, true
	}
	return nil, false
}

// callValue calls an evaluated function value.
func (in *Interp) callValue(callee Value, e *ast.CallExpr, env *Env) Value {
	switch c := callee.(type) {
	case *Closure:
		return in.callClosure(c, in.evalArgs(e, env), e)
	case Runtime, Symbol:
		in.evalArgs(e, env)
		return Runtime{Desc: in.src(e)}
	case Unresolved:
		in.evalArgs(e, env)
		in.emit(&Step{Kind: "unresolved", Source: in.src(e), Reason: "call of " + c.Reason + ": " + c.Source}, e.Pos())
		return c
	}
	in.evalArgs(e, env)
	return in.unresolved(e, fmt.Sprintf("call of %T", callee))
}

// callClosure runs a function body with its parameters bound, returning its result (a Tuple for
// several results). Steps inside are recorded with their own positions.
func (in *Interp) callClosure(c *Closure, args []Value, e *ast.CallExpr) Value {
	if c.Body == nil {
		return Runtime{Desc: in.src(e)}
	}
	if in.st.inline >= in.maxInlineDepth {
		return Runtime{Desc: in.src(e), Info: NewOMap().Set("reason", "inlining depth exceeded")}
	}
	env := c.Env.child()
	i := 0
	params := c.Type.Params.List
	for pi, f := range params {
		_, variadic := f.Type.(*ast.Ellipsis)
		names := f.Names
		if len(names) == 0 {
			names = []*ast.Ident{{Name: "_"}}
		}
		for _, n := range names {
			switch {
			case variadic && pi == len(params)-1 && !(e != nil && e.Ellipsis.IsValid()):
				l := &List{}
				if i < len(args) {
					l.Elems = append(l.Elems, args[i:]...)
				}
				env.define(n.Name, l, in.st.uncertain)
				i = len(args)
			case i < len(args):
				env.define(n.Name, copyOnPass(args[i]), in.st.uncertain)
				i++
			default:
				env.define(n.Name, nil, in.st.uncertain)
			}
		}
	}
	var named []string
	if c.Type.Results != nil {
		for _, f := range c.Type.Results.List {
			for _, n := range f.Names {
				env.define(n.Name, zeroValue(in.typeOf(f.Type, env)), in.st.uncertain)
				named = append(named, n.Name)
			}
		}
	}
	in.st.inline++
	f, rv := in.execBlock(c.Body.List, env)
	in.st.inline--
	if f == flowReturn && rv != nil {
		return rv
	}
	if len(named) == 1 {
		return env.lookupVar(named[0]).V
	}
	if len(named) > 1 {
		var t Tuple
		for _, n := range named {
			t = append(t, env.lookupVar(n).V)
		}
		return t
	}
	if f != flowReturn && c.Type.Results != nil && len(c.Type.Results.List) > 0 {
		// The function only returns from branches the walk could not decide.
		return Runtime{Desc: in.src(e)}
	}
	return rv
}

// copyOnPass gives struct values Go's copy semantics when passed by value.
func copyOnPass(v Value) Value {
	if o, ok := v.(*Object); ok && !o.Ptr {
		return o.clone()
	}
	return v
}

// callPkgFunc handles pkg.Func(...) calls.
func (in *Interp) callPkgFunc(path, name string, e *ast.CallExpr, env *Env) Value {
	switch path {
	case "fmt":
		args := in.evalArgs(e, env)
		switch name {
		case "Sprintf", "Errorf":
			if len(args) == 0 {
				return in.unresolved(e, "Sprintf without format")
			}
			format, ok := args[0].(string)
			if !ok {
				return in.opaque(e, env, args...)
			}
			if s, ok := sprintf(format, args[1:]); ok {
				return s
			}
			// Runtime arguments become ${...} placeholders, keeping the static parts legible
			// (ws://${gatewayAddress}/ws); the first argument's details are kept.
			subst := make([]Value, len(args)-1)
			var info *OMap
			for i, a := range args[1:] {
				subst[i] = a
				if r, ok := a.(Runtime); ok {
					subst[i] = "${" + r.Desc + "}"
					if info == nil {
						info = r.Info
					}
				}
			}
			if s, ok := sprintf(format, subst); ok {
				return Runtime{Desc: s, Info: info}
			}
			return in.opaque(e, env, args...)
		case "Sprint":
			var b strings.Builder
			for _, a := range args {
				s, ok := formatV(a)
				if !ok {
					return in.opaque(e, env, args...)
				}
				b.WriteString(s)
			}
			return b.String()
		}
		return nil
	case "strings":
		return in.stringsCall(name, e, env)
	case "strconv":
		args := in.evalArgs(e, env)
		switch name {
		case "Itoa", "FormatInt":
			if n, ok := args[0].(int64); ok {
				return strconv.FormatInt(n, 10)
			}
		case "Quote":
			if s, ok := args[0].(string); ok {
				return strconv.Quote(s)
			}
		}
		return in.opaque(e, env, args...)
	case "k8s.io/utils/ptr", "k8s.io/utils/pointer":
		args := in.evalArgs(e, env)
		switch name {
		case "Deref":
			if len(args) == 2 {
				if args[0] == nil {
					return args[1]
				}
				return args[0]
			}
		default:
			if len(args) == 1 {
				return args[0]
			}
		}
		return in.opaque(e, env, args...)
	case "time":
		args := in.evalArgs(e, env)
		if name == "Sleep" {
			s := &Step{Kind: "sleep", Helper: "time.Sleep", Source: in.src(e)}
			if ns, ok := args[0].(int64); ok {
				s.Seconds = float64(ns) / 1e9
			}
			in.emit(s, e.Pos())
			return nil
		}
		return Runtime{Desc: in.src(e)}
	case "context":
		in.evalArgs(e, env)
		switch name {
		case "WithTimeout", "WithCancel", "WithDeadline":
			return Tuple{Symbol{Name: "ctx"}, Symbol{Name: "cancel"}}
		}
		return Symbol{Name: "ctx"}
	case "github.com/stretchr/testify/require", "github.com/stretchr/testify/assert":
		return in.testifyCall(name, e, env)
	case "github.com/google/uuid":
		in.evalArgs(e, env)
		return Runtime{Desc: "uuid"}
	case "sigs.k8s.io/controller-runtime/pkg/client":
		args := in.evalArgs(e, env)
		if name == "MergeFrom" || name == "MergeFromWithOptions" {
			return Symbol{Name: "patch:merge"}
		}
		if name == "ObjectKeyFromObject" && len(args) == 1 {
			if o, ok := args[0].(*Object); ok {
				ns, n := objectIdentity(o)
				key := newObject(&TypeInfo{Kind: "named", Pkg: "types", Name: "NamespacedName"}, e.Pos())
				key.Set("Namespace", ns)
				key.Set("Name", n)
				return key
			}
		}
		return Runtime{Desc: in.src(e)}
	case "net":
		args := in.evalArgs(e, env)
		if name == "JoinHostPort" && len(args) == 2 {
			// A Gateway address with an explicit port: keep the Gateway reference.
			if r, ok := args[0].(Runtime); ok && r.TypeName == "gatewayAddress" {
				info := NewOMap()
				for _, k := range r.Info.Keys() {
					v, _ := r.Info.Get(k)
					info.Set(k, v)
				}
				info.Set("port", toJSON(args[1]))
				return Runtime{Desc: r.Desc, TypeName: r.TypeName, Info: info}
			}
			if h, ok := args[0].(string); ok {
				if p, ok := args[1].(string); ok {
					if strings.Contains(h, ":") {
						h = "[" + h + "]"
					}
					return h + ":" + p
				}
			}
		}
		return in.opaque(e, env, args...)
	case "slices":
		args := in.evalArgs(e, env)
		switch name {
		case "Clone":
			if l, ok := args[0].(*List); ok {
				return &List{Type: l.Type, Elems: append([]Value(nil), l.Elems...), Pos: l.Pos}
			}
		case "Contains":
			if l, ok := args[0].(*List); ok && isStatic(args[1]) {
				for _, el := range l.Elems {
					if !isStatic(el) {
						return in.opaque(e, env, el)
					}
					if eq, _ := binaryOp(token.EQL, el, args[1]); eq == true {
						return true
					}
				}
				return false
			}
		}
		return in.opaque(e, env, args...)
	}
	if in.ld.dirFor(path) != "" {
		p, err := in.ld.Load(path)
		if err != nil || p == nil {
			in.evalArgs(e, env)
			return in.unresolved(e, "cannot load package "+path)
		}
		fd, ok := p.funcs[name]
		if !ok {
			in.evalArgs(e, env)
			return in.unresolved(e, "no function "+name+" in "+path)
		}
		if strings.HasPrefix(path, conformanceModule+"/utils/") {
			return in.suiteHelper(p, p.Short+"."+name, fd.Type, fd.Body, nil, e, env)
		}
		c, _ := in.pkgValue(p, name)
		return in.callValue(c, e, env)
	}
	// Any other library call: its result exists only at run time.
	in.evalArgs(e, env)
	return Runtime{Desc: in.src(e)}
}

func (in *Interp) stringsCall(name string, e *ast.CallExpr, env *Env) Value {
	args := in.evalArgs(e, env)
	strs := make([]string, len(args))
	for i, a := range args {
		s, ok := a.(string)
		if !ok {
			if name == "Join" && i == 0 {
				if l, ok := a.(*List); ok {
					var parts []string
					for _, el := range l.Elems {
						ps, ok := el.(string)
						if !ok {
							return in.opaque(e, env, el)
						}
						parts = append(parts, ps)
					}
					sep, _ := args[1].(string)
					return strings.Join(parts, sep)
				}
			}
			if _, isInt := a.(int64); isInt {
				continue
			}
			return in.opaque(e, env, args...)
		}
		strs[i] = s
	}
	switch name {
	case "Split":
		l := &List{Type: &TypeInfo{Kind: "slice", Elem: &TypeInfo{Kind: "basic", Name: "string"}}, Pos: e.Pos()}
		for _, p := range strings.Split(strs[0], strs[1]) {
			l.Elems = append(l.Elems, p)
		}
		return l
	case "HasPrefix":
		return strings.HasPrefix(strs[0], strs[1])
	case "HasSuffix":
		return strings.HasSuffix(strs[0], strs[1])
	case "Contains":
		return strings.Contains(strs[0], strs[1])
	case "ToLower":
		return strings.ToLower(strs[0])
	case "ToUpper":
		return strings.ToUpper(strs[0])
	case "TrimPrefix":
		return strings.TrimPrefix(strs[0], strs[1])
	case "TrimSuffix":
		return strings.TrimSuffix(strs[0], strs[1])
	case "TrimSpace":
		return strings.TrimSpace(strs[0])
	case "ReplaceAll":
		return strings.ReplaceAll(strs[0], strs[1], strs[2])
	case "Repeat":
		if n, ok := args[1].(int64); ok {
			return strings.Repeat(strs[0], int(n))
		}
	case "EqualFold":
		return strings.EqualFold(strs[0], strs[1])
	case "Index":
		return int64(strings.Index(strs[0], strs[1]))
	}
	return in.opaque(e, env, args...)
}

// testifyCall records require/assert checks as goAssertion steps. NoError-style checks are
// error plumbing, not expectations about the implementation, and are not recorded.
func (in *Interp) testifyCall(name string, e *ast.CallExpr, env *Env) Value {
	args := in.evalArgs(e, env)
	switch name {
	case "NoError", "NoErrorf", "Nil", "Nilf", "NotNil", "NotNilf":
		return nil
	}
	if (name == "Eventually" || name == "Eventuallyf" || name == "EventuallyWithT") && len(args) > 1 {
		if c, ok := args[1].(*Closure); ok {
			in.withLoop(LoopInfo{Kind: "untilTrue", Source: "require." + name, Position: in.pos(e.Pos())}, func() {
				in.callClosure(c, []Value{Symbol{Name: "t"}}, nil)
			})
		}
	}
	in.emit(&Step{Kind: "goAssertion", Helper: "require." + name, Source: in.src(e)}, e.Pos())
	return nil
}

func (in *Interp) withLoop(l LoopInfo, fn func()) {
	in.st.loops = append(in.st.loops, l)
	defer func() { in.st.loops = in.st.loops[:len(in.st.loops)-1] }()
	fn()
}

var errGuard = regexp.MustCompile(`\berr\b|Err\b|^!ok$|\bok\b`)

// callMethod handles x.Method(...) on an evaluated receiver.
func (in *Interp) callMethod(recv Value, name string, e *ast.CallExpr, env *Env) Value {
	switch r := recv.(type) {
	case Symbol:
		switch r.Name {
		case "t":
			return in.testingCall(name, e, env)
		case "suite.Client", "suite.Client.Status":
			return in.clientCall(r.Name, name, e, env)
		case "suite.Applier":
			return in.applierCall(name, e, env)
		case "suite.SupportedFeatures":
			args := in.evalArgs(e, env)
			return Runtime{Desc: in.src(e), Info: NewOMap().Set("feature", toJSON(args[0]))}
		case "suite.RoundTripper":
			return in.roundTripperCall(name, e, env)
		case "suite.GRPCClient":
			if name == "SendRPC" {
				p, _ := in.ld.Load(conformanceModule + "/utils/grpc")
				if ft := interfaceMethod(p, "Client", name); ft != nil {
					return in.suiteHelper(p, "grpc.Client."+name, ft, nil, r, e, env)
				}
			}
		}
		args := in.evalArgs(e, env)
		if strings.HasPrefix(r.Name, "suite.") {
			// Any other use of a suite handle (e.g. suite.WebSocketDialer.Dial) talks to the system
			// under test in a way the extractor does not model: record it rather than drop it.
			var list []any
			for _, a := range args {
				list = append(list, toJSON(a))
			}
			s := &Step{Kind: "call", Helper: strings.TrimPrefix(r.Name, "suite.") + "." + name, Source: in.src(e)}
			if len(list) > 0 {
				s.Args = NewOMap().Set("args", list)
			}
			in.emit(s, e.Pos())
		}
		return Runtime{Desc: in.src(e)}
	case *Object:
		return in.objectMethod(r, name, e, env)
	case Runtime:
		if r.TypeName == "echo.MeshPod" {
			p, _ := in.ld.Load(conformanceModule + "/utils/echo")
			if p != nil {
				if fd, ok := p.methods["MeshPod."+name]; ok {
					return in.suiteHelper(p, "echo.MeshPod."+name, fd.Type, fd.Body, r, e, env)
				}
			}
		}
		in.evalArgs(e, env)
		return Runtime{Desc: in.src(e)}
	case Unresolved:
		in.evalArgs(e, env)
		return r
	}
	in.evalArgs(e, env)
	return in.opaque(e, env, recv)
}

func interfaceMethod(p *Package, typeName, method string) *ast.FuncType {
	if p == nil {
		return nil
	}
	td, ok := p.types[typeName]
	if !ok {
		return nil
	}
	it, ok := td.spec.Type.(*ast.InterfaceType)
	if !ok {
		return nil
	}
	for _, m := range it.Methods.List {
		if len(m.Names) == 1 && m.Names[0].Name == method {
			if ft, ok := m.Type.(*ast.FuncType); ok {
				return ft
			}
		}
	}
	return nil
}

func (in *Interp) testingCall(name string, e *ast.CallExpr, env *Env) Value {
	switch name {
	case "Run":
		if len(e.Args) != 2 {
			break
		}
		subName := in.eval(e.Args[0], env)
		fn := in.eval(e.Args[1], env)
		label, ok := subName.(string)
		if !ok {
			label = fmt.Sprintf("%v", toJSONString(subName))
		}
		in.st.subtest = append(in.st.subtest, label)
		if c, ok := fn.(*Closure); ok {
			in.callClosure(c, []Value{Symbol{Name: "t"}}, nil)
		}
		in.st.subtest = in.st.subtest[:len(in.st.subtest)-1]
		return Runtime{Desc: "subtest result"}
	case "Context":
		return Symbol{Name: "ctx"}
	case "Skip", "Skipf", "SkipNow":
		args := in.evalArgs(e, env)
		msg := ""
		if len(args) > 0 {
			if name == "Skipf" {
				if f, ok := args[0].(string); ok {
					msg, _ = sprintf(f, args[1:])
				}
			} else {
				msg, _ = formatV(args[0])
			}
		}
		in.emit(&Step{Kind: "skip", Helper: "t." + name, Source: in.src(e), Reason: msg}, e.Pos())
		return nil
	case "Fatal", "Fatalf", "Error", "Errorf", "FailNow", "Fail":
		in.evalArgs(e, env)
		if len(in.st.conds) == 0 {
			// Unconditional failure after a retry loop: the loop's own steps carry the meaning.
			return nil
		}
		if errGuard.MatchString(in.st.conds[len(in.st.conds)-1].Source) {
			return nil
		}
		in.emit(&Step{Kind: "goAssertion", Helper: "t." + name, Source: in.src(e)}, e.Pos())
		return nil
	case "Name", "TempDir", "Deadline":
		return Runtime{Desc: in.src(e)}
	}
	in.evalArgs(e, env)
	return nil
}

// clientCall models the controller-runtime client: reads mark objects as live cluster objects,
// writes become mutation steps.
func (in *Interp) clientCall(recvName, name string, e *ast.CallExpr, env *Env) Value {
	if name == "Status" || name == "SubResource" {
		return Symbol{Name: "suite.Client.Status"}
	}
	args := in.evalArgs(e, env)
	switch name {
	case "Get":
		if len(args) >= 3 {
			if o, ok := args[2].(*Object); ok {
				o.Tracked = true
				o.Edits = nil
				if key, ok := args[1].(*Object); ok {
					ns, _ := lookupField(key, "Namespace")
					n, _ := lookupField(key, "Name")
					o.Ref = &ObjRef{Namespace: ns, Name: n}
				} else {
					o.Ref = &ObjRef{Name: args[1]}
				}
			}
		}
		return Runtime{Desc: "error of " + in.src(e)}
	case "List":
		if len(args) >= 2 {
			if o, ok := args[1].(*Object); ok {
				o.Tracked = true
			}
		}
		return Runtime{Desc: "error of " + in.src(e)}
	case "Patch", "Update", "Create", "Delete", "DeleteAllOf":
		op := strings.ToLower(name[:1]) + name[1:]
		if recvName == "suite.Client.Status" {
			op += "Status"
		}
		m := &Mutation{Operation: op}
		if len(args) >= 2 {
			if o, ok := args[1].(*Object); ok {
				m.fillIdentity(o)
				switch op {
				case "patch", "update", "patchStatus", "updateStatus":
					for _, ed := range o.Edits {
						m.Edits = append(m.Edits, EditOut{Path: ed.Path, Op: ed.Op, Value: toJSON(ed.Value), Source: ed.Source, Position: ed.Pos})
					}
					o.Edits = nil
				case "create":
					m.Objects = append(m.Objects, manifestJSON(o))
				}
			} else {
				m.Object = toJSON(args[1])
			}
		}
		if name == "Patch" && len(args) >= 3 {
			if s, ok := args[2].(Symbol); ok && strings.HasPrefix(s.Name, "patch:") {
				m.PatchType = strings.TrimPrefix(s.Name, "patch:")
			}
		}
		in.emit(&Step{Kind: "mutation", Helper: "client." + name, Source: in.src(e), Mutation: m}, e.Pos())
		return Runtime{Desc: "error of " + in.src(e)}
	}
	return Runtime{Desc: in.src(e)}
}

func (in *Interp) applierCall(name string, e *ast.CallExpr, env *Env) Value {
	args := in.evalArgs(e, env)
	m := &Mutation{Operation: "apply"}
	switch name {
	case "MustApplyObjectsWithCleanup":
		if len(args) >= 4 {
			if l, ok := args[3].(*List); ok {
				for _, el := range l.Elems {
					if o, ok := el.(*Object); ok {
						m.Objects = append(m.Objects, manifestJSON(o))
					} else {
						m.Objects = append(m.Objects, toJSON(el))
					}
				}
			} else {
				m.Object = toJSON(args[3])
			}
		}
	case "MustApplyWithCleanup":
		m.Operation = "applyManifestFile"
		if len(args) >= 4 {
			m.Object = toJSON(args[3])
		}
	default:
		m.Operation = name
	}
	in.emit(&Step{Kind: "mutation", Helper: "Applier." + name, Source: in.src(e), Mutation: m}, e.Pos())
	return nil
}

// roundTripperCall handles suite.RoundTripper.CaptureRoundTrip(req), where req came from
// http.MakeRequest: the raw round trip is recorded and CompareRoundTrip may upgrade it into a
// full request expectation.
func (in *Interp) roundTripperCall(name string, e *ast.CallExpr, env *Env) Value {
	args := in.evalArgs(e, env)
	if name != "CaptureRoundTrip" || len(args) != 1 {
		return Runtime{Desc: in.src(e)}
	}
	req, ok := args[0].(Runtime)
	mr, isReq := req.Data.(*madeRequest)
	if !ok || !isReq {
		in.emit(&Step{Kind: "unresolved", Source: in.src(e), Reason: "round trip of a request not built by http.MakeRequest"}, e.Pos())
		return Tuple{Runtime{Desc: "captured request"}, Runtime{Desc: "captured response"}, Runtime{Desc: "error"}}
	}
	s := &Step{Kind: "httpRoundTrip", Helper: "RoundTripper.CaptureRoundTrip", Address: toJSON(mr.address),
		Case: normalizeHTTP(in, mr.expected, mr.scheme), Via: []string{"http.MakeRequest"}}
	s.Literal = literalPos(in, mr.expected)
	s.request = mr
	in.emit(s, e.Pos())
	return Tuple{Runtime{Desc: "captured request"}, Runtime{Desc: "captured response"}, Runtime{Desc: "error"}}
}

// madeRequest is the payload of the Runtime value http.MakeRequest returns.
type madeRequest struct {
	expected Value
	address  Value
	scheme   string
}

func (in *Interp) objectMethod(o *Object, name string, e *ast.CallExpr, env *Env) Value {
	args := in.evalArgs(e, env)
	switch {
	case o.Type.is("http", "ExpectedResponse") && name == "GetTestCaseName" && len(args) == 1:
		if i, ok := args[0].(int64); ok {
			return httpTestCaseName(o, i)
		}
	case o.Type.is("http", "ExpectedResponse") && name == "AddRequestIDQueryParam":
		o.Set("$requestID", args[0])
		return nil
	case o.Type.is("grpc", "ExpectedResponse") && name == "GetTestCaseName" && len(args) == 1:
		if i, ok := args[0].(int64); ok {
			return in.grpcTestCaseName(o, i)
		}
	case o.Type.is("url", "Values"):
		return urlValuesMethod(o, name, args, func() Value { return in.opaque(e, env, args...) })
	case name == "DeepCopy" || name == "DeepCopyObject":
		c := o.clone()
		c.Ptr = true
		return c
	case name == "GetName" || name == "GetNamespace":
		ns, n := objectIdentity(o)
		if name == "GetName" {
			return n
		}
		return ns
	}
	t := o.Type.deref()
	if t != nil && t.Path != "" {
		if p, _ := in.ld.Load(t.Path); p != nil {
			if fd, ok := p.methods[t.Name+"."+name]; ok {
				if strings.HasPrefix(t.Path, conformanceModule+"/utils/") {
					return in.suiteHelper(p, p.Short+"."+t.Name+"."+name, fd.Type, fd.Body, o, e, env)
				}
			}
		}
	}
	if o.Tracked {
		return Runtime{Desc: in.src(e)}
	}
	return in.opaque(e, env, args...)
}

func objectIdentity(o *Object) (Value, Value) {
	if o.Ref != nil {
		return o.Ref.Namespace, o.Ref.Name
	}
	if meta, ok := o.Fields["ObjectMeta"].(*Object); ok {
		ns, _ := meta.Get("Namespace")
		n, _ := meta.Get("Name")
		return ns, n
	}
	return nil, nil
}

// urlValuesMethod models net/url.Values, which the retry test uses to build query strings.
func urlValuesMethod(o *Object, name string, args []Value, opaque func() Value) Value {
	switch name {
	case "Set":
		o.Set(fmt.Sprint(args[0]), &List{Elems: []Value{args[1]}})
		return nil
	case "Add":
		k := fmt.Sprint(args[0])
		l, _ := o.Fields[k].(*List)
		if l == nil {
			l = &List{}
		}
		o.Set(k, &List{Elems: append(append([]Value(nil), l.Elems...), args[1])})
		return nil
	case "Encode":
		var parts []string
		for _, k := range sortedKeys(o) {
			l, _ := o.Fields[k].(*List)
			if l == nil {
				continue
			}
			for _, v := range l.Elems {
				switch v := v.(type) {
				case string:
					parts = append(parts, queryEscape(k)+"="+queryEscape(v))
				case Runtime:
					parts = append(parts, queryEscape(k)+"=${"+v.Desc+"}")
				default:
					return opaque()
				}
			}
		}
		return strings.Join(parts, "&")
	}
	return opaque()
}

// queryEscape is url.QueryEscape for the characters conformance query strings contain.
func queryEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.', c == '~':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// sprintf implements the fmt verbs the suite uses in names and messages.
func sprintf(format string, args []Value) (string, bool) {
	var b strings.Builder
	ai := 0
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		i++
		// Skip flags and width, which the suite does not use for values we evaluate.
		for i < len(format) && strings.IndexByte("+-# 0123456789.", format[i]) >= 0 {
			i++
		}
		if i >= len(format) {
			return "", false
		}
		verb := format[i]
		if verb == '%' {
			b.WriteByte('%')
			continue
		}
		if ai >= len(args) {
			return "", false
		}
		a := args[ai]
		ai++
		switch verb {
		case 's', 'v', 'd', 't':
			s, ok := formatV(a)
			if !ok {
				return "", false
			}
			b.WriteString(s)
		case 'q':
			s, ok := a.(string)
			if !ok {
				return "", false
			}
			b.WriteString(strconv.Quote(s))
		case 'f':
			switch n := a.(type) {
			case float64:
				b.WriteString(strconv.FormatFloat(n, 'f', 6, 64))
			case int64:
				b.WriteString(strconv.FormatFloat(float64(n), 'f', 6, 64))
			default:
				return "", false
			}
		default:
			return "", false
		}
	}
	return b.String(), true
}

// formatV renders a static value as fmt's %v would.
func formatV(v Value) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case int64:
		return strconv.FormatInt(v, 10), true
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1e21 {
			return strconv.FormatFloat(v, 'f', -1, 64), true
		}
		return strconv.FormatFloat(v, 'g', -1, 64), true
	case bool:
		return strconv.FormatBool(v), true
	case nil:
		return "<nil>", true
	case *List:
		parts := make([]string, 0, len(v.Elems))
		for _, e := range v.Elems {
			s, ok := formatV(e)
			if !ok {
				return "", false
			}
			parts = append(parts, s)
		}
		return "[" + strings.Join(parts, " ") + "]", true
	}
	return "", false
}

func toJSONString(v Value) string {
	b, err := marshalNoEscape(toJSON(v))
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
