// Command conformance-extract reads the Gateway API conformance suite (the Go module
// sigs.k8s.io/gateway-api/conformance) and prints, as one JSON document, what every conformance
// test does: its metadata, and in source order the status assertions, request expectations,
// object mutations and other checks its Test function performs.
//
// It works by static analysis with go/parser only, so it needs no network and none of the
// suite's dependencies: a small evaluator walks each Test body, resolving constants, local
// variables, composite literals and loops over literal tables, and records every call into the
// suite's utils packages as a step. Whatever cannot be resolved is reported, never dropped.
//
// Usage: conformance-extract <conformance module dir> <gateway-api module dir>
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: conformance-extract <conformance module dir> <gateway-api module dir>")
		os.Exit(2)
	}
	doc, err := Extract(os.Args[1], os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, "conformance-extract:", err)
		os.Exit(1)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		fmt.Fprintln(os.Stderr, "conformance-extract:", err)
		os.Exit(1)
	}
}

// Extract analyses the suite found in conformanceDir, resolving API constants and feature
// names from the gateway-api module in gatewayAPIDir.
func Extract(conformanceDir, gatewayAPIDir string) (*Document, error) {
	for _, d := range []string{conformanceDir, gatewayAPIDir} {
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("%s is not a directory", d)
		}
	}
	fset := token.NewFileSet()
	ld := NewLoader(fset, conformanceDir, gatewayAPIDir)
	in := NewInterp(fset, ld)
	doc := &Document{
		SchemaVersion: 1,
		Generator:     "switchyard test/conformance/extract",
		Sources: []ModuleSource{
			{Module: conformanceModule, Version: versionFromDir(conformanceDir), Dir: conformanceDir},
			{Module: gatewayAPIModule, Version: versionFromDir(gatewayAPIDir), Dir: gatewayAPIDir},
		},
		Tests:      []*TestOut{},
		Unanalysed: []Unanalysed{},
		Unresolved: []UnresolvedEntry{},
	}
	for _, pkgPath := range []string{conformanceModule + "/tests", conformanceModule + "/tests/mesh"} {
		p, err := ld.Load(pkgPath)
		if err != nil && errors.Is(err, fs.ErrNotExist) && strings.HasSuffix(pkgPath, "/mesh") {
			continue // older or trimmed suites without mesh tests
		}
		if err != nil {
			return nil, err
		}
		if p == nil {
			return nil, fmt.Errorf("package %s not found under %s", pkgPath, conformanceDir)
		}
		registered := in.registeredTests(p)
		for _, name := range in.testVars(p) {
			t := in.analyseTest(p, name, registered[name], strings.HasSuffix(pkgPath, "/mesh"))
			doc.Tests = append(doc.Tests, t)
			if !t.Analysed {
				doc.Unanalysed = append(doc.Unanalysed, Unanalysed{ShortName: t.ShortName, Position: t.Position, Reason: t.failure})
			}
		}
	}
	doc.Features = NewOMap()
	names := make([]string, 0, len(in.featureIdents))
	for k := range in.featureIdents {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		doc.Features.Set(k, in.featureIdents[k])
	}
	computeTotals(doc)
	return doc, nil
}

// versionFromDir reads the version from a module cache directory name (".../conformance@v1.6.1").
func versionFromDir(dir string) string {
	base := filepath.Base(filepath.Clean(dir))
	if i := strings.LastIndex(base, "@"); i >= 0 {
		return base[i+1:]
	}
	return ""
}

// testVars lists package-level variables initialised with a suite.ConformanceTest literal, in
// source order.
func (in *Interp) testVars(p *Package) []string {
	var names []string
	for name, vd := range p.vars {
		cl, ok := vd.expr.(*ast.CompositeLit)
		if !ok || cl.Type == nil {
			continue
		}
		env := &Env{pkg: p, file: vd.file, scope: newScope(nil)}
		if in.typeOf(cl.Type, env).is("suite", "ConformanceTest") {
			names = append(names, name)
		}
	}
	sort.Slice(names, func(i, j int) bool {
		a, b := in.fset.Position(p.vars[names[i]].pos), in.fset.Position(p.vars[names[j]].pos)
		if a.Filename != b.Filename {
			return a.Filename < b.Filename
		}
		return a.Offset < b.Offset
	})
	return names
}

// registeredTests finds the tests init functions append to the package's test list.
func (in *Interp) registeredTests(p *Package) map[string]bool {
	out := map[string]bool{}
	for _, fd := range p.inits {
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if id, ok := call.Fun.(*ast.Ident); ok && id.Name == "append" {
				for _, a := range call.Args[1:] {
					if id, ok := a.(*ast.Ident); ok {
						out[id.Name] = true
					}
				}
			}
			return true
		})
	}
	return out
}

func (in *Interp) analyseTest(p *Package, name string, registered, mesh bool) (t *TestOut) {
	vd := p.vars[name]
	in.st = &walkState{} // package-level initialisers may call helpers too
	t = &TestOut{Variable: name, Position: in.pos(vd.pos), Mesh: mesh, Registered: registered, Features: []any{}, Manifests: []any{}, Steps: []*Step{}}
	v, _ := in.pkgValue(p, name)
	o, ok := v.(*Object)
	if !ok {
		t.failure = "ConformanceTest literal did not evaluate"
		return t
	}
	str := func(k string) string { s, _ := field(o, k).(string); return s }
	boolean := func(k string) bool { b, _ := field(o, k).(bool); return b }
	t.ShortName, t.Description = str("ShortName"), str("Description")
	t.Provisional, t.Parallel, t.Slow = boolean("Provisional"), boolean("Parallel"), boolean("Slow")
	if l, ok := field(o, "Features").(*List); ok {
		for _, f := range l.Elems {
			t.Features = append(t.Features, toJSON(f))
		}
	}
	if l, ok := field(o, "Manifests").(*List); ok {
		for _, m := range l.Elems {
			t.Manifests = append(t.Manifests, toJSON(m))
		}
	}
	t.coreHTTP = !mesh && !t.Provisional && isCoreGatewayHTTP(t.Features)
	// `Test: OtherTest.Test` reuses another test's body with different manifests.
	for _, el := range vd.expr.(*ast.CompositeLit).Elts {
		kv, ok := el.(*ast.KeyValueExpr)
		if !ok || in.src(kv.Key) != "Test" {
			continue
		}
		if sel, ok := kv.Value.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok && id.Name != name {
				if other, ok := in.pkgValue(p, id.Name); ok {
					if s, ok := field(other, "ShortName").(string); ok {
						t.TestBodyFrom = s
					}
				}
			}
		}
	}
	c, ok := field(o, "Test").(*Closure)
	if !ok {
		t.failure = "Test is not a function the extractor can read"
		return t
	}
	defer func() {
		if r := recover(); r != nil {
			t.Analysed = false
			t.Steps = []*Step{}
			t.failure = fmt.Sprintf("extractor failure: %v (at %s)", r, panicSite())
		}
	}()
	in.st = &walkState{}
	env := c.Env.child()
	handles := []Value{Symbol{Name: "t"}, Symbol{Name: "suite"}}
	i := 0
	for _, f := range c.Type.Params.List {
		for _, n := range f.Names {
			if i < len(handles) {
				env.define(n.Name, handles[i], 0)
			}
			i++
		}
	}
	in.execBlock(c.Body.List, env)
	t.Steps = in.st.steps
	t.Analysed = true
	return t
}

// panicSite names the extractor source line that panicked, so a failure report is actionable.
func panicSite() string {
	for _, line := range strings.Split(string(debug.Stack()), "\n") {
		line = strings.TrimSpace(line)
		if strings.Contains(line, "conformance-extract") || strings.Contains(line, "/extract/") {
			if strings.Contains(line, ".go:") && !strings.Contains(line, "main.go") {
				return filepath.Base(strings.Fields(line)[0])
			}
		}
	}
	return "unknown"
}

// isCoreGatewayHTTP reports whether a test needs only the core features of the GATEWAY-HTTP
// profile (Gateway, HTTPRoute, ReferenceGrant).
func isCoreGatewayHTTP(features []any) bool {
	if len(features) == 0 {
		return false
	}
	for _, f := range features {
		switch f {
		case "Gateway", "HTTPRoute", "ReferenceGrant":
		default:
			return false
		}
	}
	return true
}

func computeTotals(doc *Document) {
	tot := &doc.Totals
	helpers := map[string]int{}
	literals := map[bool]map[string]bool{false: {}, true: {}}
	grpcLiterals := map[bool]map[string]bool{false: {}, true: {}}
	for _, t := range doc.Tests {
		tot.Tests++
		if t.Mesh {
			tot.MeshTests++
		} else {
			tot.GatewayTests++
		}
		if t.Provisional {
			tot.ProvisionalTests++
		}
		if t.Analysed {
			tot.AnalysedTests++
		} else {
			tot.UnanalysedTests++
		}
		if t.coreHTTP {
			tot.CoreGatewayHTTPTests++
		}
		c := &t.Counts
		testLits, testGRPCLits := map[string]bool{}, map[string]bool{}
		for _, s := range t.Steps {
			if s.Helper != "" {
				helpers[s.Helper]++
			}
			switch s.Kind {
			case "httpRequest":
				c.HTTPRequests++
				if s.Literal != "" {
					testLits[s.Literal] = true
					literals[t.Mesh][s.Literal] = true
				}
			case "grpcRequest":
				c.GRPCRequests++
				if s.Literal != "" {
					testGRPCLits[s.Literal] = true
					grpcLiterals[t.Mesh][s.Literal] = true
				}
			case "tcpRequest":
				c.TCPRequests++
			case "udpRequest":
				c.UDPRequests++
			case "httpRoundTrip":
				c.HTTPRoundTrips++
			case "weightDistribution":
				c.WeightDistributions++
			case "status":
				c.StatusAssertions++
			case "mutation":
				c.Mutations++
			case "goAssertion":
				c.GoAssertions++
			case "call":
				c.Calls++
			case "skip":
				c.Skips++
			case "sleep":
				c.Sleeps++
			case "unresolved":
				c.Unresolved++
				doc.Unresolved = append(doc.Unresolved, UnresolvedEntry{Test: t.ShortName, Kind: "step", Position: s.Position, Source: s.Source, Reason: s.Reason})
			}
			for _, u := range collectUnresolved(s) {
				c.Unresolved++
				doc.Unresolved = append(doc.Unresolved, UnresolvedEntry{Test: t.ShortName, Kind: "value", Position: u.Pos, Source: u.Source, Reason: u.Reason})
			}
		}
		c.HTTPRequestLiterals, c.GRPCRequestLiterals = len(testLits), len(testGRPCLits)
		group := &tot.Gateway
		if t.Mesh {
			group = &tot.Mesh
		}
		addCounts(group, c)
		requests := c.HTTPRequests + c.GRPCRequests + c.TCPRequests + c.UDPRequests + c.HTTPRoundTrips + c.WeightDistributions
		if !t.Mesh && requests > 0 {
			tot.RequestTests++
		}
		if !t.Mesh && requests == 0 && c.StatusAssertions > 0 {
			tot.StatusOnlyTests++
		}
		if c.Unresolved > 0 {
			tot.TestsWithUnresolved++
		}
	}
	tot.Gateway.HTTPRequestLiterals, tot.Mesh.HTTPRequestLiterals = len(literals[false]), len(literals[true])
	tot.Gateway.GRPCRequestLiterals, tot.Mesh.GRPCRequestLiterals = len(grpcLiterals[false]), len(grpcLiterals[true])
	tot.Helpers = NewOMap()
	keys := make([]string, 0, len(helpers))
	for k := range helpers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		tot.Helpers.Set(k, helpers[k])
	}
}

func addCounts(dst, src *Counts) {
	dst.HTTPRequests += src.HTTPRequests
	dst.GRPCRequests += src.GRPCRequests
	dst.TCPRequests += src.TCPRequests
	dst.UDPRequests += src.UDPRequests
	dst.HTTPRoundTrips += src.HTTPRoundTrips
	dst.WeightDistributions += src.WeightDistributions
	dst.StatusAssertions += src.StatusAssertions
	dst.Mutations += src.Mutations
	dst.GoAssertions += src.GoAssertions
	dst.Calls += src.Calls
	dst.Skips += src.Skips
	dst.Sleeps += src.Sleeps
	dst.Unresolved += src.Unresolved
}

// collectUnresolved finds "$unresolved" placeholders in a step's data.
func collectUnresolved(s *Step) []Unresolved {
	var out []Unresolved
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case *OMap:
			if v == nil {
				return
			}
			if src, ok := v.Get("$unresolved"); ok {
				u := Unresolved{Source: fmt.Sprint(src)}
				if p, ok := v.Get("position"); ok {
					u.Pos = fmt.Sprint(p)
				}
				if r, ok := v.Get("reason"); ok {
					u.Reason = fmt.Sprint(r)
				}
				out = append(out, u)
				return
			}
			for _, k := range v.Keys() {
				x, _ := v.Get(k)
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		case *Mutation:
			if v == nil {
				return
			}
			walk(v.Namespace)
			walk(v.Name)
			walk(v.Object)
			walk(v.Objects)
			for _, e := range v.Edits {
				walk(e.Value)
			}
		}
	}
	walk(s.Address)
	walk(s.Case)
	walk(s.Args)
	walk(s.Mutation)
	walk(s.Weights)
	walk(s.Sample)
	return out
}
