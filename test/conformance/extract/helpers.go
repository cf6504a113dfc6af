package main

import (
	"fmt"
	"go/ast"
	"strings"
)

// param is one parameter of a suite helper, named as in the helper's Go signature.
type param struct {
	name     string
	typ      string // source text of the type, e.g. "*testing.T", "types.NamespacedName"
	variadic bool
}

func (in *Interp) params(ft *ast.FuncType) []param {
	var out []param
	for _, f := range ft.Params.List {
		typ := in.src(f.Type)
		_, variadic := f.Type.(*ast.Ellipsis)
		if len(f.Names) == 0 {
			out = append(out, param{name: "_", typ: typ, variadic: variadic})
		}
		for _, n := range f.Names {
			out = append(out, param{name: n.Name, typ: typ, variadic: variadic})
		}
	}
	return out
}

// infraParamTypes are helper parameters that carry test plumbing rather than expectations.
var infraParamTypes = map[string]bool{
	"*testing.T": true, "client.Client": true, "config.TimeoutConfig": true,
	"roundtripper.RoundTripper": true, "Client": true, "context.Context": true,
	"clientset.Interface": true, "*suite.ConformanceTestSuite": true, "time.Duration": true,
	"*rest.Config": true,
}

type boundArg struct {
	p param
	v Value
}

// bindParams pairs call arguments with parameters, gathering variadic arguments into a list.
func bindParams(ps []param, args []Value, spread bool) []boundArg {
	var out []boundArg
	for i, p := range ps {
		switch {
		case p.variadic && !spread:
			l := &List{}
			if i < len(args) {
				l.Elems = append(l.Elems, args[i:]...)
			}
			out = append(out, boundArg{p, l})
		case i < len(args):
			out = append(out, boundArg{p, args[i]})
		}
	}
	return out
}

func isHandle(v Value) bool {
	switch v := v.(type) {
	case Symbol:
		return !strings.HasPrefix(v.Name, "$")
	case *Closure:
		return true
	}
	return false
}

// expectationKind maps the expectation struct types of the utils packages to step kinds.
func expectationKind(v Value) string {
	o, ok := v.(*Object)
	if !ok {
		return ""
	}
	switch {
	case o.Type.is("http", "ExpectedResponse"):
		return "httpRequest"
	case o.Type.is("grpc", "ExpectedResponse"):
		return "grpcRequest"
	case o.Type.is("tcp", "ExpectedResponse"):
		return "tcpRequest"
	case o.Type.is("udp", "ExpectedResponse"):
		return "udpRequest"
	}
	return ""
}

func isAddress(v Value) bool {
	r, ok := v.(Runtime)
	return ok && (r.TypeName == "gatewayAddress" || r.TypeName == "echo.MeshPod")
}

// suiteHelper handles a call into conformance/utils. Value constructors and pure helpers are
// evaluated; every other helper becomes a step whose args are keyed by the helper's parameter
// names, so nothing the suite asks of the implementation is dropped.
func (in *Interp) suiteHelper(p *Package, helper string, ft *ast.FuncType, body *ast.BlockStmt, recv Value, e *ast.CallExpr, env *Env) Value {
	ps := in.params(ft)
	args := in.evalArgs(e, env)
	bound := bindParams(ps, args, e.Ellipsis.IsValid())
	arg := func(name string) Value {
		for _, b := range bound {
			if b.p.name == name {
				return b.v
			}
		}
		return nil
	}
	switch helper {
	case "kubernetes.NewGatewayRef":
		return gatewayRef(e, arg("nn"), arg("listenerNames"), nil)
	case "kubernetes.NewResourceRef":
		return gatewayRef(e, arg("nn"), arg("listenerNames"), arg("gk"))
	case "http.MakeRequest":
		scheme, _ := arg("scheme").(string)
		return Runtime{Desc: "request built by " + in.src(e), TypeName: "roundtripper.Request",
			Data: &madeRequest{expected: cloneValue(arg("expected")), address: arg("gwAddr"), scheme: scheme}}
	case "http.AddEntropy", "grpc.AddEntropy":
		if o, ok := arg("exp").(*Object); ok {
			o.Set("$entropy", true)
		}
		in.noteVia(helper)
		return nil
	case "http.AwaitConvergence":
		if c, ok := arg("fn").(*Closure); ok {
			in.withLoop(LoopInfo{Kind: "untilConsistent", Source: helper, Position: in.pos(e.Pos())}, func() {
				in.callClosure(c, []Value{Runtime{Desc: "elapsed"}}, nil)
			})
		}
		return nil
	case "http.CompareRoundTrip":
		return in.compareRoundTrip(arg("req"), arg("expected"), e)
	case "weight.NewFunctionBasedSender", "weight.NewBatchFunctionBasedSender":
		var fn Value
		if len(args) > 0 {
			fn = args[0]
		}
		c, ok := fn.(*Closure)
		if !ok {
			return in.unresolved(e, "sender is not a function literal")
		}
		saved := in.st.capture
		capt := &capture{}
		in.st.capture = capt
		in.callClosure(c, []Value{Runtime{Desc: "batch size"}}, nil)
		in.st.capture = saved
		return Runtime{Desc: "weight sender", TypeName: "weight.Sender", Data: capt}
	case "weight.TestWeightedDistribution", "weight.TestWeightedDistributionBatch":
		s := &Step{Kind: "weightDistribution", Helper: helper, Weights: toJSON(arg("expectedWeights"))}
		if r, ok := arg("sender").(Runtime); ok {
			if capt, ok := r.Data.(*capture); ok {
				s.Address = capt.address
				s.Sample = capt.sample
				s.SampleKind = capt.kind
				s.Via = capt.via
			}
		}
		if s.Sample == nil {
			s.Reason = "sender does not expose a request expectation"
		}
		in.emit(s, e.Pos())
		return Runtime{Desc: "weight distribution error"}
	case "echo.ConnectToApp", "echo.ConnectToAppInNamespace":
		ns := arg("ns")
		if ns == nil {
			if sp, _ := in.ld.Load(conformanceModule + "/utils/suite"); sp != nil {
				ns, _ = in.pkgValue(sp, "MeshNamespace")
			}
		}
		return Runtime{Desc: "meshClient", TypeName: "echo.MeshPod",
			Info: NewOMap().Set("app", toJSON(arg("app"))).Set("namespace", toJSON(ns))}
	}
	switch p.Short {
	case "tlog", "config", "flags":
		return nil
	}
	// Helpers that take no test plumbing (no *testing.T, client, round tripper) are pure
	// functions of their arguments: evaluate them instead of recording a step.
	if body != nil && !hasInfraParam(ps) {
		c := &Closure{Type: ft, Body: body, Env: &Env{pkg: p, file: fileContaining(p, body), scope: newScope(nil)}, Name: helper}
		return in.callClosure(c, args, e)
	}

	s := &Step{Kind: "call", Helper: helper}
	if p.Short == "kubernetes" && !strings.HasPrefix(helper, "kubernetes.Get") && !strings.HasPrefix(helper, "kubernetes.Dump") {
		s.Kind = "status"
	}
	if isAddress(recv) {
		s.Address = toJSON(recv)
	}
	argMap := NewOMap()
	var expectation Value
	for _, b := range bound {
		switch {
		case infraParamTypes[b.p.typ] || isHandle(b.v):
			continue
		case expectationKind(b.v) != "" && expectation == nil:
			expectation = b.v
			continue
		case isAddress(b.v) && s.Address == nil:
			s.Address = toJSON(b.v)
			continue
		}
		argMap.Set(b.p.name, argJSON(b.v))
	}
	if expectation != nil {
		s.Kind = expectationKind(expectation)
		s.Literal = literalPos(in, expectation)
		switch s.Kind {
		case "httpRequest":
			scheme := "http"
			if p.Short == "tls" {
				scheme = "https"
			}
			s.Expect = expectModes[helper]
			if s.Expect == "" {
				s.Expect = "response"
			}
			s.Case = normalizeHTTP(in, expectation, scheme)
			if s.Expect != "response" {
				// The failure helpers ignore Response; do not present the 200 default.
				if m, ok := s.Case.(*OMap); ok {
					if r, ok := m.Get("response"); ok {
						if rm, ok := r.(*OMap); ok && field(fieldObj(expectation, "Response"), "StatusCode") == nil && field(fieldObj(expectation, "Response"), "StatusCodes") == nil {
							rm.Delete("statusCodes")
						}
					}
				}
			}
		case "grpcRequest":
			s.Expect = "response"
			s.Case = in.normalizeGRPC(expectation)
		default:
			s.Case = toJSON(expectation)
		}
	}
	if argMap.Len() > 0 {
		s.Args = argMap
	}
	in.emit(s, e.Pos())
	return in.helperResults(helper, ft, arg, e)
}

// expectModes names what the failure helpers expect instead of the case's response: any status
// but 200 (and not a timeout), or a request that fails at the TLS/transport level.
var expectModes = map[string]string{
	"http.MakeRequestAndExpectFailure":           "nonOkStatus",
	"tls.MakeTLSRequestAndExpectFailureResponse": "requestFailure",
}

// helperResults models what a helper returns: Gateway addresses keep a reference to the Gateway
// they belong to, the GatewayClass controller name becomes $CONTROLLER, anything else is runtime.
func (in *Interp) helperResults(helper string, ft *ast.FuncType, arg func(string) Value, e *ast.CallExpr) Value {
	n := 0
	if ft.Results != nil {
		for _, f := range ft.Results.List {
			if len(f.Names) == 0 {
				n++
			}
			n += len(f.Names)
		}
	}
	if n == 0 {
		return nil
	}
	res := make(Tuple, n)
	for i := range res {
		res[i] = Runtime{Desc: fmt.Sprintf("%s[%d]", in.src(e), i)}
	}
	if n == 1 {
		res[0] = Runtime{Desc: in.src(e)}
	}
	switch {
	case strings.HasSuffix(helper, "MustBeAccepted") || helper == "kubernetes.WaitForGatewayAddress":
		ref := arg("gw")
		if ref == nil {
			ref = arg("gwRef")
		}
		res[0] = Runtime{Desc: "gatewayAddress", TypeName: "gatewayAddress", Info: NewOMap().Set("gateway", toJSON(ref))}
	case strings.HasPrefix(helper, "kubernetes.GWCMustHaveAcceptedCondition"):
		res[0] = Symbol{Name: "$CONTROLLER"}
	}
	if n == 1 {
		return res[0]
	}
	return res
}

// argJSON renders a helper argument. An empty object of an API type (&v1.GRPCRoute{} passed as
// a route type) stands for its kind.
func argJSON(v Value) any {
	if o, ok := v.(*Object); ok && len(o.Keys) == 0 {
		if t := o.Type.deref(); t != nil && t.Kind == "named" {
			if av, ok := apiVersions[t.Path]; ok {
				return NewOMap().Set("apiVersion", av).Set("kind", t.Name)
			}
		}
	}
	return toJSON(v)
}

func hasInfraParam(ps []param) bool {
	for _, p := range ps {
		if infraParamTypes[p.typ] && p.typ != "time.Duration" {
			return true
		}
	}
	return false
}

func fileContaining(p *Package, n ast.Node) *ast.File {
	for _, f := range p.Files {
		if f.Pos() <= n.Pos() && n.End() <= f.End() {
			return f
		}
	}
	return nil
}

// gatewayRef builds the value of kubernetes.NewGatewayRef / NewResourceRef.
func gatewayRef(e *ast.CallExpr, nn, listeners, gk Value) Value {
	o := newObject(&TypeInfo{Kind: "named", Pkg: "kubernetes", Name: "GatewayRef"}, e.Pos())
	if g, ok := gk.(*Object); ok {
		grp, _ := g.Get("Group")
		kind, _ := g.Get("Kind")
		o.Set("Group", grp)
		o.Set("Kind", kind)
	}
	if n, ok := nn.(*Object); ok {
		ns, _ := lookupField(n, "Namespace")
		name, _ := lookupField(n, "Name")
		o.Set("Namespace", ns)
		o.Set("Name", name)
	} else {
		o.Set("NamespacedName", nn)
	}
	if l, ok := listeners.(*List); ok && len(l.Elems) > 0 {
		o.Set("ListenerNames", l)
	}
	return o
}

func (in *Interp) noteVia(helper string) {
	if c := in.st.capture; c != nil {
		c.via = appendUnique(c.via, helper)
	}
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// compareRoundTrip turns the raw round trip recorded for the same request into a full request
// expectation (MakeRequest + CaptureRoundTrip + CompareRoundTrip is one request case).
func (in *Interp) compareRoundTrip(req, expected Value, e *ast.CallExpr) Value {
	mr := (*madeRequest)(nil)
	if r, ok := req.(Runtime); ok {
		mr, _ = r.Data.(*madeRequest)
	}
	scheme := "http"
	var address any
	if mr != nil {
		if mr.scheme != "" {
			scheme = mr.scheme
		}
		address = toJSON(mr.address)
	}
	c := normalizeHTTP(in, expected, scheme)
	if m, ok := c.(*OMap); ok && mr != nil {
		// The request sent is the one MakeRequest built (possibly with entropy added); the
		// expectation is what CompareRoundTrip was given.
		if o, ok := mr.expected.(*Object); ok {
			if b, ok := o.Get("$entropy"); ok && b == true {
				m.Set("entropy", true)
			}
		}
	}
	if in.st.capture == nil && mr != nil && len(in.st.steps) > 0 {
		last := in.st.steps[len(in.st.steps)-1]
		if last.Kind == "httpRoundTrip" && last.request == mr {
			last.Kind = "httpRequest"
			last.Expect = "response"
			last.Helper = "http.CompareRoundTrip"
			last.Via = append(last.Via, "RoundTripper.CaptureRoundTrip")
			last.Case = c
			last.Literal = literalPos(in, expected)
			return Runtime{Desc: "comparison error"}
		}
	}
	s := &Step{Kind: "httpRequest", Helper: "http.CompareRoundTrip", Expect: "response", Address: address, Case: c}
	s.Literal = literalPos(in, expected)
	in.emit(s, e.Pos())
	return Runtime{Desc: "comparison error"}
}

// literalPos identifies the composite literal an expectation was built from, so request cases
// can be counted both per execution and per literal in the source.
func literalPos(in *Interp, v Value) string {
	if o, ok := v.(*Object); ok && o.Pos.IsValid() {
		return in.pos(o.Pos) + fmt.Sprintf("#%d", in.fset.Position(o.Pos).Column)
	}
	return ""
}

// field reads a struct field of an expectation object, nil when absent.
func field(v Value, name string) Value {
	o, ok := v.(*Object)
	if !ok || o == nil {
		return nil
	}
	f, _ := lookupField(o, name)
	return f
}

func fieldObj(v Value, name string) *Object {
	o, _ := field(v, name).(*Object)
	return o
}

// normalizeHTTP turns an http.ExpectedResponse into the documented request-case shape, applying
// the defaults http.MakeRequest applies (method GET; status codes [200]; StatusCode merged into
// StatusCodes).
func normalizeHTTP(in *Interp, v Value, scheme string) any {
	o, ok := v.(*Object)
	if !ok {
		return toJSON(v)
	}
	m := NewOMap()
	m.SetIf("testCaseName", toJSON(field(o, "TestCaseName")))
	req := fieldObj(o, "Request")
	r := NewOMap()
	r.Set("scheme", scheme)
	r.SetIf("host", toJSON(field(req, "Host")))
	method := field(req, "Method")
	if method == nil || method == "" {
		method = "GET"
	}
	r.Set("method", toJSON(method))
	r.Set("path", toJSON(orEmpty(field(req, "Path"))))
	r.SetIf("headers", toJSON(field(req, "Headers")))
	r.SetIf("protocol", toJSON(field(req, "Protocol")))
	r.SetIf("body", toJSON(field(req, "Body")))
	if b, ok := field(req, "UnfollowRedirect").(bool); ok && b {
		r.Set("unfollowRedirect", true)
	}
	r.SetIf("sni", toJSON(field(req, "SNI")))
	r.SetIf("clientCert", toJSON(field(req, "ClientCert")))
	m.Set("request", r)
	if id, ok := o.Get("$requestID"); ok {
		name := "gateway-api-conformance-request-id"
		if hp, _ := in.ld.Load(conformanceModule + "/utils/http"); hp != nil {
			if v, ok := in.pkgValue(hp, "requestIDQueryParam"); ok {
				if s, ok := v.(string); ok {
					name = s
				}
			}
		}
		m.Set("requestIdQueryParam", NewOMap().Set("name", name).Set("value", toJSON(id)))
	}
	if b, ok := o.Get("$entropy"); ok && b == true {
		m.Set("entropy", true)
	}
	if er := fieldObj(o, "ExpectedRequest"); er != nil {
		x := NewOMap()
		inner := fieldObj(er, "Request")
		x.SetIf("host", toJSON(field(inner, "Host")))
		// CompareRoundTrip compares method (default GET) and path exactly, the rest only if set.
		emethod := field(inner, "Method")
		if emethod == nil || emethod == "" {
			emethod = "GET"
		}
		x.Set("method", toJSON(emethod))
		x.Set("path", toJSON(orEmpty(field(inner, "Path"))))
		x.SetIf("headers", toJSON(field(inner, "Headers")))
		x.SetIf("protocol", toJSON(field(inner, "Protocol")))
		x.SetIf("absentHeaders", toJSON(field(er, "AbsentHeaders")))
		x.SetIf("httpPort", toJSON(field(er, "HTTPPort")))
		m.Set("expectedRequest", x)
	} else {
		m.Set("expectedRequest", nil)
	}
	if rr := fieldObj(o, "RedirectRequest"); rr != nil {
		x := NewOMap()
		for _, k := range []string{"Scheme", "Host", "Port", "Path"} {
			x.SetIf(lowerCamel(k), toJSON(field(rr, k)))
		}
		m.Set("redirectRequest", x)
	}
	m.SetIf("backendSetResponseHeaders", toJSON(field(o, "BackendSetResponseHeaders")))
	resp := fieldObj(o, "Response")
	rs := NewOMap()
	rs.Set("statusCodes", statusCodes(resp))
	rs.SetIf("headers", toJSON(field(resp, "Headers")))
	rs.SetIf("validHeaderValues", toJSON(field(resp, "ValidHeaderValues")))
	rs.SetIf("absentHeaders", toJSON(field(resp, "AbsentHeaders")))
	rs.SetIf("protocol", toJSON(field(resp, "Protocol")))
	if b, ok := field(resp, "IgnoreWhitespace").(bool); ok && b {
		rs.Set("ignoreWhitespace", true)
	}
	m.Set("response", rs)
	m.Set("backend", toJSON(orEmpty(field(o, "Backend"))))
	m.Set("namespace", toJSON(orEmpty(field(o, "Namespace"))))
	if mt, ok := field(o, "MirroredTo").(*List); ok && len(mt.Elems) > 0 {
		var out []any
		for _, el := range mt.Elems {
			x := NewOMap()
			x.Set("name", toJSON(field(el, "Name")))
			x.Set("namespace", toJSON(field(el, "Namespace")))
			x.SetIf("percent", toJSON(field(el, "Percent")))
			out = append(out, x)
		}
		m.Set("mirroredTo", out)
	}
	m.SetIf("serverName", toJSON(field(o, "ServerName")))
	return m
}

func orEmpty(v Value) Value {
	if v == nil {
		return ""
	}
	return v
}

func statusCodes(resp *Object) any {
	var codes []any
	if l, ok := field(resp, "StatusCodes").(*List); ok {
		for _, c := range l.Elems {
			codes = append(codes, toJSON(c))
		}
	} else if v := field(resp, "StatusCodes"); v != nil {
		return toJSON(v)
	}
	switch sc := field(resp, "StatusCode").(type) {
	case int64:
		if sc != 0 {
			present := false
			for _, c := range codes {
				if c == sc {
					present = true
				}
			}
			if !present {
				codes = append(codes, sc)
			}
		}
	case nil:
	default:
		codes = append(codes, toJSON(sc))
	}
	if len(codes) == 0 {
		codes = []any{int64(200)}
	}
	return codes
}

// grpcMethod mirrors how utils/grpc picks the RPC from which request field is set.
func grpcMethod(o *Object) string {
	switch {
	case field(o, "EchoRequest") != nil:
		return "Echo"
	case field(o, "EchoTwoRequest") != nil:
		return "EchoTwo"
	}
	return "EchoThree"
}

func (in *Interp) grpcService() string {
	pkgName, svc := "gateway_api_conformance.echo_basic.grpcecho", "GrpcEcho"
	if gp, _ := in.ld.Load(conformanceModule + "/utils/grpc"); gp != nil {
		if v, ok := in.pkgValue(gp, "echoServerPackage"); ok {
			if s, ok := v.(string); ok {
				pkgName = s
			}
		}
		if v, ok := in.pkgValue(gp, "echoServerService"); ok {
			if s, ok := v.(string); ok {
				svc = s
			}
		}
	}
	return pkgName + "." + svc
}

func (in *Interp) normalizeGRPC(v Value) any {
	o, ok := v.(*Object)
	if !ok {
		return toJSON(v)
	}
	m := NewOMap()
	m.SetIf("testCaseName", toJSON(field(o, "TestCaseName")))
	method := grpcMethod(o)
	m.Set("method", method)
	m.Set("fullMethod", "/"+in.grpcService()+"/"+method)
	if rm := fieldObj(o, "RequestMetadata"); rm != nil {
		x := NewOMap()
		x.SetIf("authority", toJSON(field(rm, "Authority")))
		x.SetIf("metadata", toJSON(field(rm, "Metadata")))
		m.Set("requestMetadata", x)
	}
	if b, ok := o.Get("$entropy"); ok && b == true {
		m.Set("entropy", true)
	}
	resp := fieldObj(o, "Response")
	code := field(resp, "Code")
	if code == nil {
		code = "OK"
	}
	rs := NewOMap().Set("code", toJSON(code))
	if s, ok := code.(string); ok {
		if n, ok := grpcCodes[s]; ok {
			rs.Set("codeNumber", n)
		}
	}
	rs.SetIf("headers", toJSON(field(resp, "Headers")))
	rs.SetIf("trailers", toJSON(field(resp, "Trailers")))
	m.Set("response", rs)
	m.Set("backend", toJSON(orEmpty(field(o, "Backend"))))
	m.Set("namespace", toJSON(orEmpty(field(o, "Namespace"))))
	return m
}

// httpTestCaseName reproduces http.ExpectedResponse.GetTestCaseName so subtest paths match the
// names a real conformance run reports.
func httpTestCaseName(o *Object, i int64) Value {
	if n, ok := field(o, "TestCaseName").(string); ok && n != "" {
		return n
	}
	req := fieldObj(o, "Request")
	host, ok1 := orEmpty(field(req, "Host")).(string)
	path, ok2 := orEmpty(field(req, "Path")).(string)
	if !ok1 || !ok2 {
		return Runtime{Desc: "test case name"}
	}
	headerStr := ""
	if field(req, "Headers") != nil {
		headerStr = " with headers"
	}
	reqStr := fmt.Sprintf("%d request to '%s%s'%s", i, host, path, headerStr)
	if b, ok := field(o, "Backend").(string); ok && b != "" {
		return fmt.Sprintf("%s should go to %s", reqStr, b)
	}
	codes, ok := formatV(orList(field(fieldObj(o, "Response"), "StatusCodes")))
	if !ok {
		return Runtime{Desc: "test case name"}
	}
	return fmt.Sprintf("%s should receive one of %s", reqStr, codes)
}

func orList(v Value) Value {
	if v == nil {
		return &List{}
	}
	return v
}

// grpcTestCaseName reproduces grpc.ExpectedResponse.GetTestCaseName.
func (in *Interp) grpcTestCaseName(o *Object, i int64) Value {
	if n, ok := field(o, "TestCaseName").(string); ok && n != "" {
		return n
	}
	authority, headerStr := "", ""
	if rm := fieldObj(o, "RequestMetadata"); rm != nil {
		a, ok := orEmpty(field(rm, "Authority")).(string)
		if !ok {
			return Runtime{Desc: "test case name"}
		}
		authority = a
		if md := fieldObj(rm, "Metadata"); md != nil && len(md.Keys) > 0 {
			var parts []string
			for _, k := range sortedKeys(md) {
				v, ok := md.Fields[k].(string)
				if !ok {
					return Runtime{Desc: "test case name"}
				}
				parts = append(parts, k+":"+v)
			}
			headerStr = fmt.Sprintf(" with headers '%s'", "{"+strings.Join(parts, ",")+"}")
		}
	}
	reqStr := fmt.Sprintf("%d request to '%s%s'%s", i, authority, "/"+in.grpcService()+"/"+grpcMethod(o), headerStr)
	if b, ok := field(o, "Backend").(string); ok && b != "" {
		return fmt.Sprintf("%s should go to %s", reqStr, b)
	}
	code, _ := field(fieldObj(o, "Response"), "Code").(string)
	if code == "" {
		code = "OK"
	}
	return fmt.Sprintf("%s should receive a %s (%d)", reqStr, code, grpcCodes[code])
}

// apiVersions of the API packages whose objects tests create or change from Go code.
var apiVersions = map[string]string{
	gatewayAPIModule + "/apis/v1":        "gateway.networking.k8s.io/v1",
	gatewayAPIModule + "/apis/v1beta1":   "gateway.networking.k8s.io/v1beta1",
	gatewayAPIModule + "/apis/v1alpha2":  "gateway.networking.k8s.io/v1alpha2",
	gatewayAPIModule + "/apis/v1alpha3":  "gateway.networking.k8s.io/v1alpha3",
	gatewayAPIModule + "/apisx/v1alpha1": "gateway.networking.x-k8s.io/v1alpha1",
	"k8s.io/api/core/v1":                 "v1",
	"k8s.io/api/discovery/v1":            "discovery.k8s.io/v1",
	"k8s.io/api/apps/v1":                 "apps/v1",
}

// manifestJSON renders an object literal as a Kubernetes manifest.
func manifestJSON(o *Object) any {
	m := NewOMap()
	t := o.Type.deref()
	if t != nil && t.Kind == "named" {
		if av, ok := apiVersions[t.Path]; ok {
			m.Set("apiVersion", av)
		}
		m.Set("kind", t.Name)
	}
	body := objectJSON(o)
	for _, k := range body.Keys() {
		v, _ := body.Get(k)
		m.Set(k, v)
	}
	return m
}

// Mutation is a change the test makes to cluster objects from Go code.
type Mutation struct {
	Operation  string    `json:"operation"`
	APIVersion string    `json:"apiVersion,omitempty"`
	Kind       string    `json:"kind,omitempty"`
	Namespace  any       `json:"namespace,omitempty"`
	Name       any       `json:"name,omitempty"`
	PatchType  string    `json:"patchType,omitempty"`
	Edits      []EditOut `json:"edits,omitempty"`
	Objects    []any     `json:"objects,omitempty"`
	Object     any       `json:"object,omitempty"`
}

// EditOut is one field change of a patch or update.
type EditOut struct {
	Path     string `json:"path"`
	Op       string `json:"op"`
	Value    any    `json:"value"`
	Source   string `json:"source"`
	Position string `json:"position"`
}

func (m *Mutation) fillIdentity(o *Object) {
	t := o.Type.deref()
	if t != nil && t.Kind == "named" {
		m.Kind = t.Name
		m.APIVersion = apiVersions[t.Path]
	}
	ns, n := objectIdentity(o)
	m.Namespace, m.Name = toJSON(ns), toJSON(n)
}
