package main

import (
	"fmt"
	"go/ast"
	"go/token"
	"os"
	"path/filepath"
	"strings"
)

// Interp walks conformance test bodies statement by statement, evaluating what it can and
// recording a Step for every interaction with the system under test.
type Interp struct {
	fset           *token.FileSet
	ld             *Loader
	typeCache      map[string]*TypeInfo
	featureIdents  map[string]string
	sources        map[string][]byte
	st             *walkState
	maxInlineDepth int
}

// walkState is the per-test state of a walk.
type walkState struct {
	steps     []*Step
	subtest   []string
	conds     []StepCondition
	loops     []LoopInfo
	uncertain int // enclosing branches/loops whose condition is unknown
	inline    int // depth of inlined helper calls
	capture   *capture
	guard     *StepCondition // set by an uncertain early-return if, consumed by execBlock
}

// capture collects what a weight-distribution sender closure does, instead of emitting steps.
type capture struct {
	sample  any
	kind    string
	address any
	via     []string
}

type flow int

const (
	flowNormal flow = iota
	flowReturn
	flowBreak
	flowContinue
)

func NewInterp(fset *token.FileSet, ld *Loader) *Interp {
	return &Interp{fset: fset, ld: ld, typeCache: map[string]*TypeInfo{}, featureIdents: map[string]string{},
		sources: map[string][]byte{}, maxInlineDepth: 6, st: &walkState{}}
}

// pos renders a position relative to the module it belongs to: "tests/x.go:12" for the
// conformance module, "gateway-api/apis/v1/x.go:3" for the main module.
func (in *Interp) pos(p token.Pos) string {
	if !p.IsValid() {
		return ""
	}
	ps := in.fset.Position(p)
	name := ps.Filename
	if rel, err := filepath.Rel(in.ld.conformanceDir, name); err == nil && !strings.HasPrefix(rel, "..") {
		name = filepath.ToSlash(rel)
	} else if rel, err := filepath.Rel(in.ld.gatewayAPIDir, name); err == nil && !strings.HasPrefix(rel, "..") {
		name = "gateway-api/" + filepath.ToSlash(rel)
	}
	return fmt.Sprintf("%s:%d", name, ps.Line)
}

// src returns the source text of a node with runs of whitespace collapsed.
func (in *Interp) src(n ast.Node) string {
	start, end := in.fset.Position(n.Pos()), in.fset.Position(n.End())
	b, ok := in.sources[start.Filename]
	if !ok {
		b, _ = os.ReadFile(start.Filename)
		in.sources[start.Filename] = b
	}
	if start.Offset < 0 || end.Offset > len(b) || start.Offset > end.Offset {
		return ""
	}
	return strings.Join(strings.Fields(string(b[start.Offset:end.Offset])), " ")
}

func (in *Interp) unresolved(n ast.Node, reason string) Unresolved {
	return Unresolved{Source: in.src(n), Pos: in.pos(n.Pos()), Reason: reason}
}

// execBlock runs statements in order. It returns early on return/break/continue when those are
// certain (not inside a branch whose condition is unknown).
//
// An `if cond { ...; return }` whose condition is unknown (typically a feature check) makes the
// rest of the block conditional on !cond; those statements are annotated accordingly.
func (in *Interp) execBlock(stmts []ast.Stmt, env *Env) (flow, Value) {
	pushed := 0
	defer func() { in.st.conds = in.st.conds[:len(in.st.conds)-pushed] }()
	for _, s := range stmts {
		in.st.guard = nil
		f, v := in.exec(s, env)
		if f != flowNormal {
			return f, v
		}
		if g := in.st.guard; g != nil {
			in.st.conds = append(in.st.conds, *g)
			pushed++
			in.st.guard = nil
		}
	}
	return flowNormal, nil
}

func (in *Interp) exec(s ast.Stmt, env *Env) (flow, Value) {
	switch s := s.(type) {
	case *ast.ExprStmt:
		in.eval(s.X, env)
	case *ast.AssignStmt:
		in.assign(s, env)
	case *ast.DeclStmt:
		in.decl(s.Decl.(*ast.GenDecl), env)
	case *ast.BlockStmt:
		return in.execBlock(s.List, env.child())
	case *ast.IfStmt:
		return in.execIf(s, env)
	case *ast.RangeStmt:
		return in.execRange(s, env)
	case *ast.ForStmt:
		return in.execFor(s, env)
	case *ast.SwitchStmt:
		return in.execSwitch(s, env)
	case *ast.TypeSwitchStmt:
		inner := env.child()
		if s.Init != nil {
			in.exec(s.Init, inner)
		}
		for _, c := range s.Body.List {
			cc := c.(*ast.CaseClause)
			in.uncertainly(StepCondition{Source: "type switch case at " + in.pos(cc.Pos()), Value: true}, func() {
				in.execBlock(cc.Body, inner.child())
			})
		}
	case *ast.ReturnStmt:
		var vals Tuple
		for _, r := range s.Results {
			vals = append(vals, in.eval(r, env))
		}
		if len(vals) == 1 {
			return flowReturn, vals[0]
		}
		if len(vals) == 0 {
			return flowReturn, nil
		}
		return flowReturn, vals
	case *ast.BranchStmt:
		switch s.Tok {
		case token.BREAK:
			return flowBreak, nil
		case token.CONTINUE:
			return flowContinue, nil
		}
	case *ast.GoStmt:
		in.eval(s.Call, env)
	case *ast.DeferStmt:
		// Deferred calls are clean-ups (cancel(), Close(), waiting for mirror logs). Calls into
		// the suite's helpers are still recorded, at the point of the defer.
		if in.isSuiteHelperCall(s.Call, env) {
			in.eval(s.Call, env)
		}
	case *ast.IncDecStmt:
		if id, ok := s.X.(*ast.Ident); ok {
			if v := env.lookupVar(id.Name); v != nil {
				if n, ok := v.V.(int64); ok && v.depth >= in.st.uncertain {
					if s.Tok == token.INC {
						v.V = n + 1
					} else {
						v.V = n - 1
					}
				} else {
					v.V = Runtime{Desc: in.src(s)}
				}
			}
		}
	case *ast.LabeledStmt:
		return in.exec(s.Stmt, env)
	case *ast.SelectStmt:
		for _, c := range s.Body.List {
			cc := c.(*ast.CommClause)
			in.uncertainly(StepCondition{Source: "select case at " + in.pos(cc.Pos()), Value: true}, func() {
				in.execBlock(cc.Body, env.child())
			})
		}
	case *ast.SendStmt, *ast.EmptyStmt:
	default:
		in.emit(&Step{Kind: "unresolved", Source: in.src(s), Reason: fmt.Sprintf("unsupported statement %T", s)}, s.Pos())
	}
	return flowNormal, nil
}

// uncertainly runs fn as a branch that may or may not execute at run time.
func (in *Interp) uncertainly(c StepCondition, fn func()) {
	in.st.conds = append(in.st.conds, c)
	in.st.uncertain++
	defer func() {
		in.st.conds = in.st.conds[:len(in.st.conds)-1]
		in.st.uncertain--
	}()
	fn()
}

func (in *Interp) execIf(s *ast.IfStmt, env *Env) (flow, Value) {
	inner := env.child()
	if s.Init != nil {
		in.exec(s.Init, inner)
	}
	cond := in.eval(s.Cond, inner)
	if b, ok := cond.(bool); ok {
		if b {
			return in.execBlock(s.Body.List, inner.child())
		}
		if s.Else != nil {
			return in.exec(s.Else, inner)
		}
		return flowNormal, nil
	}
	c := StepCondition{Source: in.src(s.Cond), Value: true}
	if feature, negated := in.featureCondition(s.Cond, inner); feature != "" {
		supported := !negated
		c.Feature, c.FeatureSupported = feature, &supported
	}
	in.uncertainly(c, func() { in.execBlock(s.Body.List, inner.child()) })
	if s.Else != nil {
		in.uncertainly(c.negate(), func() { in.exec(s.Else, inner) })
		in.st.guard = nil // a guard inside an else-if chain does not describe the rest of the block
	} else if endsTest(s.Body) && !errGuard.MatchString(c.Source) {
		// Only the annotation carries over: statements after the guard run whenever the test
		// goes on, so their assignments stay certain.
		g := c.negate()
		in.st.guard = &g
	}
	return flowNormal, nil
}

// endsTest reports whether a block always leaves the test function: it ends in a return or a
// t.Skip. Failing branches (t.Fatal) are error guards and do not count.
func endsTest(b *ast.BlockStmt) bool {
	if len(b.List) == 0 {
		return false
	}
	switch last := b.List[len(b.List)-1].(type) {
	case *ast.ReturnStmt:
		return true
	case *ast.ExprStmt:
		if call, ok := last.X.(*ast.CallExpr); ok {
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok {
				switch sel.Sel.Name {
				case "Skip", "Skipf", "SkipNow":
					return true
				}
			}
		}
	}
	return false
}

// featureCondition recognises `suite.SupportedFeatures.Has(features.X)` and its negation and
// returns the feature name, so feature-gated steps can be filtered without reading Go.
func (in *Interp) featureCondition(e ast.Expr, env *Env) (string, bool) {
	negated := false
	for {
		switch x := e.(type) {
		case *ast.ParenExpr:
			e = x.X
			continue
		case *ast.UnaryExpr:
			if x.Op == token.NOT {
				negated = !negated
				e = x.X
				continue
			}
		}
		break
	}
	call, ok := e.(*ast.CallExpr)
	if !ok || len(call.Args) != 1 {
		return "", false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "Has" {
		return "", false
	}
	if sym, ok := in.eval(sel.X, env).(Symbol); !ok || sym.Name != "suite.SupportedFeatures" {
		return "", false
	}
	name, ok := in.eval(call.Args[0], env).(string)
	if !ok {
		return "", false
	}
	return name, negated
}

func (in *Interp) execSwitch(s *ast.SwitchStmt, env *Env) (flow, Value) {
	inner := env.child()
	if s.Init != nil {
		in.exec(s.Init, inner)
	}
	var tag Value = true
	if s.Tag != nil {
		tag = in.eval(s.Tag, inner)
	}
	tagKnown := isStatic(tag)
	// With a known tag and known case values the switch is decided statically.
	if tagKnown {
		var deflt *ast.CaseClause
		decided := true
		for _, c := range s.Body.List {
			cc := c.(*ast.CaseClause)
			if cc.List == nil {
				deflt = cc
				continue
			}
			for _, ce := range cc.List {
				v := in.eval(ce, inner)
				if !isStatic(v) {
					decided = false
					break
				}
				if eq, ok := binaryOp(token.EQL, tag, v); ok && eq == true {
					f, rv := in.execBlock(cc.Body, inner.child())
					if f == flowBreak {
						f = flowNormal
					}
					return f, rv
				}
			}
			if !decided {
				break
			}
		}
		if decided {
			if deflt != nil {
				f, rv := in.execBlock(deflt.Body, inner.child())
				if f == flowBreak {
					f = flowNormal
				}
				return f, rv
			}
			return flowNormal, nil
		}
	}
	tagSrc := "true"
	if s.Tag != nil {
		tagSrc = in.src(s.Tag)
	}
	for _, c := range s.Body.List {
		cc := c.(*ast.CaseClause)
		var parts []string
		for _, ce := range cc.List {
			parts = append(parts, in.src(ce))
		}
		desc := "default"
		if len(parts) > 0 {
			desc = tagSrc + " matches case " + strings.Join(parts, ", ")
		} else {
			desc = tagSrc + " matches no case"
		}
		in.uncertainly(StepCondition{Source: desc, Value: true}, func() { in.execBlock(cc.Body, inner.child()) })
	}
	return flowNormal, nil
}

// isStatic reports whether v is a plain static value (not runtime, unresolved or a handle).
func isStatic(v Value) bool {
	switch v.(type) {
	case string, int64, float64, bool, nil:
		return true
	}
	return false
}

func (in *Interp) execRange(s *ast.RangeStmt, env *Env) (flow, Value) {
	x := in.eval(s.X, env)
	bind := func(scope *Env, k, v Value) {
		in.bindRangeVar(s.Key, k, s.Tok, scope, env)
		in.bindRangeVar(s.Value, v, s.Tok, scope, env)
	}
	runBody := func(iter *Env) flow {
		f, _ := in.execBlock(s.Body.List, iter)
		return f
	}
	switch xv := x.(type) {
	case *List:
		for i, el := range xv.Elems {
			iter := env.child()
			bind(iter, int64(i), el)
			switch runBody(iter) {
			case flowBreak:
				return flowNormal, nil
			case flowReturn:
				return flowReturn, nil
			}
		}
		return flowNormal, nil
	case *Object:
		if xv.IsMap && !xv.Tracked {
			for _, k := range sortedKeys(xv) {
				iter := env.child()
				bind(iter, k, xv.Fields[k])
				switch runBody(iter) {
				case flowBreak:
					return flowNormal, nil
				case flowReturn:
					return flowReturn, nil
				}
			}
			return flowNormal, nil
		}
	case int64:
		// `for i := range N` repeats or retries a block; walk it once and annotate its steps.
		kind := "repeat"
		if containsReturn(s.Body) {
			kind = "retryUntilSuccess"
		}
		in.st.loops = append(in.st.loops, LoopInfo{Kind: kind, Count: xv, Source: "range " + in.src(s.X), Position: in.pos(s.Pos())})
		iter := env.child()
		bind(iter, Runtime{Desc: "iteration index of " + in.src(s.X)}, nil)
		in.execBlock(s.Body.List, iter)
		in.st.loops = in.st.loops[:len(in.st.loops)-1]
		return flowNormal, nil
	}
	// A collection only known at run time: walk the body once, as an uncertain branch.
	in.st.loops = append(in.st.loops, LoopInfo{Kind: "overRuntimeCollection", Source: "range " + in.src(s.X), Position: in.pos(s.Pos())})
	defer func() { in.st.loops = in.st.loops[:len(in.st.loops)-1] }()
	iter := env.child()
	in.uncertainly(StepCondition{Source: "for each element of " + in.src(s.X), Value: true}, func() {
		bind(iter, Runtime{Desc: "key of " + in.src(s.X)}, Runtime{Desc: "element of " + in.src(s.X)})
		in.execBlock(s.Body.List, iter)
	})
	return flowNormal, nil
}

func (in *Interp) bindRangeVar(e ast.Expr, v Value, tok token.Token, scope *Env, outer *Env) {
	if e == nil {
		return
	}
	id, ok := e.(*ast.Ident)
	if !ok {
		return
	}
	if tok == token.DEFINE {
		scope.define(id.Name, v, in.st.uncertain)
		return
	}
	if vr := outer.lookupVar(id.Name); vr != nil {
		vr.V = v
	}
}

func containsReturn(n ast.Node) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		if _, ok := n.(*ast.FuncLit); ok {
			return false
		}
		if _, ok := n.(*ast.ReturnStmt); ok {
			found = true
		}
		return !found
	})
	return found
}

func (in *Interp) execFor(s *ast.ForStmt, env *Env) (flow, Value) {
	inner := env.child()
	if s.Init != nil {
		in.exec(s.Init, inner)
	}
	in.st.loops = append(in.st.loops, LoopInfo{Kind: "loop", Source: "for " + in.src(s.Cond), Position: in.pos(s.Pos())})
	defer func() { in.st.loops = in.st.loops[:len(in.st.loops)-1] }()
	in.uncertainly(StepCondition{Source: "loop condition " + in.src(s.Cond), Value: true}, func() {
		in.execBlock(s.Body.List, inner.child())
	})
	return flowNormal, nil
}

// decl handles var, const and type declarations inside function bodies.
func (in *Interp) decl(d *ast.GenDecl, env *Env) {
	switch d.Tok {
	case token.TYPE:
		for _, sp := range d.Specs {
			ts := sp.(*ast.TypeSpec)
			t := in.typeOf(ts.Type, env)
			if t == nil {
				continue
			}
			named := *t
			if t.Kind == "struct" {
				named = TypeInfo{Kind: "named", Name: ts.Name.Name, Fields: t.Fields}
			}
			env.scope.types[ts.Name.Name] = &named
		}
	case token.VAR, token.CONST:
		var prevVals []ast.Expr
		var prevTyp ast.Expr
		for i, sp := range d.Specs {
			vs := sp.(*ast.ValueSpec)
			vals, typ := vs.Values, vs.Type
			if d.Tok == token.CONST && len(vals) == 0 {
				vals, typ = prevVals, prevTyp
			}
			prevVals, prevTyp = vals, typ
			var t *TypeInfo
			if typ != nil {
				t = in.typeOf(typ, env)
			}
			scope := env
			if d.Tok == token.CONST {
				scope = env.child()
				scope.define("iota", int64(i), 0)
			}
			var results []Value
			if len(vals) == 1 && len(vs.Names) > 1 {
				if tup, ok := in.eval(vals[0], scope).(Tuple); ok {
					results = tup
				}
			}
			for j, n := range vs.Names {
				var v Value
				switch {
				case results != nil && j < len(results):
					v = results[j]
				case j < len(vals):
					if cl, ok := vals[j].(*ast.CompositeLit); ok {
						v = in.composite(cl, scope, t)
					} else {
						v = in.eval(vals[j], scope)
					}
				default:
					v = zeroValue(t)
					if t != nil && t.isSliceLike() {
						v = &List{Type: t}
					}
				}
				env.define(n.Name, v, in.st.uncertain)
			}
		}
	}
}

// isSuiteHelperCall reports whether call targets a function of the conformance utils packages.
func (in *Interp) isSuiteHelperCall(call *ast.CallExpr, env *Env) bool {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	id, ok := sel.X.(*ast.Ident)
	if !ok || env.lookupVar(id.Name) != nil {
		return false
	}
	path, ok := env.pkg.importPath(env.file, id.Name)
	return ok && strings.HasPrefix(path, conformanceModule+"/utils/")
}
