package main

import (
	"fmt"
	"go/ast"
	"go/token"
	"strconv"
	"strings"
)

func (in *Interp) assign(s *ast.AssignStmt, env *Env) {
	vals := in.rhsValues(s, env)
	for i, lhs := range s.Lhs {
		var v Value
		if i < len(vals) {
			v = vals[i]
		}
		var rhs ast.Expr
		if len(s.Rhs) == len(s.Lhs) {
			rhs = s.Rhs[i]
		}
		switch s.Tok {
		case token.DEFINE:
			if id, ok := lhs.(*ast.Ident); ok {
				// `x := y` in a scope that already declares x (multi-assign) reuses it.
				if existing, ok := env.scope.vars[id.Name]; ok {
					existing.V = v
				} else {
					env.define(id.Name, v, in.st.uncertain)
				}
			}
		case token.ASSIGN:
			in.store(lhs, v, rhs, env)
		default:
			op := map[token.Token]token.Token{token.ADD_ASSIGN: token.ADD, token.SUB_ASSIGN: token.SUB,
				token.MUL_ASSIGN: token.MUL, token.QUO_ASSIGN: token.QUO}[s.Tok]
			cur := in.eval(lhs, env)
			nv, ok := binaryOp(op, cur, v)
			if !ok {
				nv = in.opaque(s, env, cur, v)
			}
			in.store(lhs, nv, rhs, env)
		}
	}
}

// rhsValues evaluates the right-hand side, spreading multi-value calls and comma-ok forms.
func (in *Interp) rhsValues(s *ast.AssignStmt, env *Env) []Value {
	if len(s.Rhs) == 1 && len(s.Lhs) > 1 {
		r := s.Rhs[0]
		v := in.eval(r, env)
		if tup, ok := v.(Tuple); ok {
			return tup
		}
		switch r.(type) {
		case *ast.IndexExpr, *ast.TypeAssertExpr, *ast.UnaryExpr:
			// v, ok := m[k] / x.(T) / <-ch
			if isStatic(v) || isComposite(v) {
				return []Value{v, true}
			}
			return []Value{v, Runtime{Desc: "ok of " + in.src(r)}}
		}
		out := make([]Value, len(s.Lhs))
		for i := range out {
			out[i] = Runtime{Desc: fmt.Sprintf("%s[%d]", in.src(r), i)}
		}
		return out
	}
	out := make([]Value, len(s.Rhs))
	for i, r := range s.Rhs {
		v := in.eval(r, env)
		// Assigning a struct value copies it; pointers and fresh values are shared.
		switch r.(type) {
		case *ast.Ident, *ast.SelectorExpr, *ast.IndexExpr, *ast.StarExpr:
			v = copyOnPass(v)
		}
		out[i] = v
	}
	return out
}

func isComposite(v Value) bool {
	switch v.(type) {
	case *Object, *List:
		return true
	}
	return false
}

// store assigns v to an lvalue: a variable, or a field/element path below one. Assignments
// to tracked cluster objects are recorded as edits for the next Patch/Update.
func (in *Interp) store(lhs ast.Expr, v Value, rhs ast.Expr, env *Env) {
	if id, ok := lhs.(*ast.Ident); ok {
		if id.Name == "_" {
			return
		}
		vr := env.lookupVar(id.Name)
		if vr == nil {
			return // package-level state (ConformanceTests = append(...)) is not modelled
		}
		if vr.depth < in.st.uncertain {
			// Assigned in a branch or loop the walk could not decide: the value depends on run time.
			vr.V = Runtime{Desc: in.uncertainDesc(lhs, rhs)}
			return
		}
		vr.V = v
		return
	}
	root, segs := in.lvaluePath(lhs, env)
	if root == nil {
		return
	}
	vr := env.lookupVar(root.Name)
	if vr == nil {
		return
	}
	obj, ok := vr.V.(*Object)
	if !ok {
		return
	}
	if obj.Tracked {
		op, val := "set", v
		if call, ok := rhs.(*ast.CallExpr); ok && isBuiltinAppend(call, env) && len(call.Args) > 0 && in.src(call.Args[0]) == in.src(lhs) {
			op = "append"
			l := &List{}
			for _, a := range call.Args[1:] {
				l.Elems = append(l.Elems, in.eval(a, env))
			}
			val = l
		}
		if vr.depth < in.st.uncertain {
			val = Runtime{Desc: in.uncertainDesc(lhs, rhs)}
		}
		obj.Edits = append(obj.Edits, Edit{Path: in.jsonPath(obj.Type, segs, env), Op: op, Value: val, Source: in.src(lhs) + " = " + srcOrEmpty(in, rhs), Pos: in.pos(lhs.Pos())})
		return
	}
	setPath(obj, segs, v, in, env)
}

func srcOrEmpty(in *Interp, e ast.Expr) string {
	if e == nil {
		return ""
	}
	return in.src(e)
}

func (in *Interp) uncertainDesc(lhs, rhs ast.Expr) string {
	var parts []string
	for _, c := range in.st.conds {
		if c.Value {
			parts = append(parts, c.Source)
		} else {
			parts = append(parts, "not ("+c.Source+")")
		}
	}
	return fmt.Sprintf("%s = %s, when %s", in.src(lhs), srcOrEmpty(in, rhs), strings.Join(parts, " and "))
}

func isBuiltinAppend(call *ast.CallExpr, env *Env) bool {
	id, ok := call.Fun.(*ast.Ident)
	return ok && id.Name == "append" && env.lookupVar("append") == nil
}

// pathSeg is one step of an lvalue: a field name or an index expression.
type pathSeg struct {
	field string
	index ast.Expr
}

func (in *Interp) lvaluePath(e ast.Expr, env *Env) (*ast.Ident, []pathSeg) {
	var segs []pathSeg
	for {
		switch x := e.(type) {
		case *ast.SelectorExpr:
			segs = append([]pathSeg{{field: x.Sel.Name}}, segs...)
			e = x.X
		case *ast.IndexExpr:
			segs = append([]pathSeg{{index: x.Index}}, segs...)
			e = x.X
		case *ast.StarExpr:
			e = x.X
		case *ast.ParenExpr:
			e = x.X
		case *ast.Ident:
			return x, segs
		default:
			return nil, nil
		}
	}
}

// jsonPath renders an lvalue path with Kubernetes JSON names, e.g. spec.rules[0].backendRefs[0].name.
func (in *Interp) jsonPath(t *TypeInfo, segs []pathSeg, env *Env) string {
	var b strings.Builder
	for _, s := range segs {
		if s.index != nil {
			idx := in.eval(s.index, env)
			if key, ok := idx.(string); ok {
				b.WriteString("[" + strconv.Quote(key) + "]")
			} else if str, ok := formatV(idx); ok && isStatic(idx) {
				b.WriteString("[" + str + "]")
			} else {
				b.WriteString("[" + in.src(s.index) + "]")
			}
			t = t.elemType()
			continue
		}
		name, ft := jsonFieldName(t, s.field)
		if name == "" {
			t = ft
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(name)
		t = ft
	}
	return b.String()
}

// jsonFieldName finds the JSON name of a (possibly promoted) field. Promotion through inline
// embedded structs adds no path element; promotion through ObjectMeta adds "metadata".
func jsonFieldName(t *TypeInfo, goName string) (string, *TypeInfo) {
	prefix, f := findField(t, goName, 0)
	if f == nil {
		return lowerCamel(goName), nil
	}
	name := f.JSON
	if name == "" {
		name = lowerCamel(goName)
	}
	if prefix != "" {
		name = prefix + "." + name
	}
	return name, f.Type
}

func findField(t *TypeInfo, goName string, depth int) (string, *fieldInfo) {
	t = t.deref()
	if t == nil || depth > 4 {
		return "", nil
	}
	if f := t.field(goName); f != nil {
		return "", f
	}
	for i := range t.Fields {
		f := &t.Fields[i]
		if !f.Embedded {
			continue
		}
		if f.Name == "ObjectMeta" || f.Name == "TypeMeta" {
			switch goName {
			case "Name", "Namespace", "Labels", "Annotations", "Generation", "GenerateName", "UID", "ResourceVersion":
				if f.Name == "ObjectMeta" {
					return "metadata", &fieldInfo{Name: goName, JSON: lowerCamel(goName)}
				}
			case "Kind", "APIVersion":
				if f.Name == "TypeMeta" {
					return "", &fieldInfo{Name: goName, JSON: lowerCamel(goName)}
				}
			}
			continue
		}
		if p, inner := findField(f.Type, goName, depth+1); inner != nil {
			if !f.Inline {
				jn := f.JSON
				if jn == "" {
					jn = lowerCamel(f.Name)
				}
				if p != "" {
					p = jn + "." + p
				} else {
					p = jn
				}
			}
			return p, inner
		}
	}
	return "", nil
}

// setPath assigns into a plain (untracked) value, e.g. expected.Request.Host = "x".
func setPath(obj *Object, segs []pathSeg, v Value, in *Interp, env *Env) {
	var cur Value = obj
	for i, s := range segs {
		last := i == len(segs)-1
		switch c := cur.(type) {
		case *Object:
			key := s.field
			if s.index != nil {
				k, ok := mapKey(in.eval(s.index, env))
				if !ok {
					return
				}
				key = k
			}
			if last {
				c.Set(key, v)
				return
			}
			next, ok := lookupField(c, key)
			if !ok || next == nil {
				// Materialise an intermediate struct the literal left out.
				var ft *TypeInfo
				if f := c.Type.field(key); f != nil {
					ft = f.Type
				}
				no := newObject(ft.deref(), token.NoPos)
				if ft.isMap() {
					no.IsMap = true
				}
				c.Set(key, no)
				next = no
			}
			cur = next
		case *List:
			if s.index == nil {
				return
			}
			idx, ok := in.eval(s.index, env).(int64)
			if !ok || idx < 0 || int(idx) >= len(c.Elems) {
				return
			}
			if last {
				c.Elems[idx] = v
				return
			}
			cur = c.Elems[idx]
		default:
			return
		}
	}
}
