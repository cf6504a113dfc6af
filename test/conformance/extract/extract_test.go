package main

import (
	"encoding/json"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// The tests build two tiny synthetic modules shaped like the real ones (a conformance module
// with utils and tests packages, a gateway-api module with API constants and features) and run
// the extractor on them.

func writeTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

var gatewayAPIFiles = map[string]string{
	"apis/v1/types.go": `package v1

const GroupName = "gateway.networking.k8s.io"

type (
	Kind        string
	SectionName string
	Group       string
	ObjectName  string
	Hostname    string
)

type RouteConditionType string
type RouteConditionReason string

const (
	RouteConditionAccepted RouteConditionType   = "Accepted"
	RouteReasonAccepted    RouteConditionReason = "Accepted"
	RouteReasonRefNotPermitted RouteConditionReason = "RefNotPermitted"
)

type ReferenceGrant struct {
	ObjectMeta int ` + "`json:\"metadata,omitempty\"`" + `
}

type HTTPRoute struct {
	Spec HTTPRouteSpec ` + "`json:\"spec\"`" + `
}

type HTTPRouteSpec struct {
	CommonRouteSpec ` + "`json:\",inline\"`" + `
	Hostnames []Hostname ` + "`json:\"hostnames,omitempty\"`" + `
}

type CommonRouteSpec struct {
	ParentRefs []ParentReference ` + "`json:\"parentRefs,omitempty\"`" + `
}

type ParentReference struct {
	Name ObjectName ` + "`json:\"name\"`" + `
}
`,
	"pkg/features/features.go": `package features

type FeatureName string

const (
	SupportGateway   FeatureName = "Gateway"
	SupportHTTPRoute FeatureName = "HTTPRoute"
	SupportFancy     FeatureName = "HTTPRouteFancy"
)
`,
}

var conformanceFiles = map[string]string{
	"utils/suite/suite.go": `package suite

import (
	"testing"

	"sigs.k8s.io/gateway-api/pkg/features"
)

const InfrastructureNamespace = "gateway-conformance-infra"

type ConformanceTestSuite struct{ ControllerName string }

type ConformanceTest struct {
	ShortName   string
	Description string
	Features    []features.FeatureName
	Manifests   []string
	Provisional bool
	Test        func(*testing.T, *ConformanceTestSuite)
}
`,
	"utils/kubernetes/helpers.go": `package kubernetes

import (
	"testing"
	"k8s.io/apimachinery/pkg/types"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/gateway-api/conformance/utils/config"
)

type GatewayRef struct{}

func NewGatewayRef(nn types.NamespacedName, listenerNames ...string) GatewayRef { return GatewayRef{} }

func GatewayAndHTTPRoutesMustBeAccepted(t *testing.T, c client.Client, timeoutConfig config.TimeoutConfig, controllerName string, gw GatewayRef, routeNNs ...types.NamespacedName) string {
	return ""
}

func HTTPRouteMustHaveCondition(t *testing.T, client client.Client, timeoutConfig config.TimeoutConfig, routeNN types.NamespacedName, gwNN types.NamespacedName, condition metav1.Condition) {
}
`,
	"utils/http/http.go": `package http

import (
	"testing"
	"sigs.k8s.io/gateway-api/conformance/utils/config"
	"sigs.k8s.io/gateway-api/conformance/utils/roundtripper"
)

type Request struct {
	Host    string
	Method  string
	Path    string
	Headers map[string]string
}

type ExpectedRequest struct {
	Request
	AbsentHeaders []string
}

type Response struct {
	StatusCode  int
	StatusCodes []int
}

type ExpectedResponse struct {
	Request         Request
	ExpectedRequest *ExpectedRequest
	Response        Response
	Backend         string
	Namespace       string
}

func MakeRequestAndExpectEventuallyConsistentResponse(t *testing.T, r roundtripper.RoundTripper, timeoutConfig config.TimeoutConfig, gwAddr string, expected ExpectedResponse) {
}
`,
	"tests/main.go": `package tests

import "sigs.k8s.io/gateway-api/conformance/utils/suite"

var ConformanceTests []suite.ConformanceTest
`,
	"tests/sample.go": `package tests

import (
	"context"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "sigs.k8s.io/gateway-api/apis/v1"
	"sigs.k8s.io/gateway-api/conformance/utils/http"
	"sigs.k8s.io/gateway-api/conformance/utils/kubernetes"
	confsuite "sigs.k8s.io/gateway-api/conformance/utils/suite"
	"sigs.k8s.io/gateway-api/pkg/features"
)

func init() {
	ConformanceTests = append(ConformanceTests, SampleRouting)
}

var SampleRouting = confsuite.ConformanceTest{
	ShortName:   "SampleRouting",
	Description: "synthetic",
	Features:    []features.FeatureName{features.SupportGateway, features.SupportHTTPRoute},
	Manifests:   []string{"tests/sample.yaml"},
	Test: func(t *testing.T, suite *confsuite.ConformanceTestSuite) {
		ns := confsuite.InfrastructureNamespace
		routeNN := types.NamespacedName{Name: "sample", Namespace: ns}
		gwNN := types.NamespacedName{Name: "same-namespace", Namespace: ns}
		gwAddr := kubernetes.GatewayAndHTTPRoutesMustBeAccepted(t, suite.Client, suite.TimeoutConfig, suite.ControllerName, kubernetes.NewGatewayRef(gwNN), routeNN)

		testCases := []http.ExpectedResponse{{
			Request:   http.Request{Path: "/a", Headers: map[string]string{"X": "1"}},
			Backend:   "infra-backend-v1",
			Namespace: ns,
		}, {
			Request:  http.Request{Host: "b.example", Path: "/b"},
			Response: http.Response{StatusCode: 404},
		}}
		for i := range testCases {
			tc := testCases[i]
			t.Run(tc.GetTestCaseName(i), func(t *testing.T) {
				http.MakeRequestAndExpectEventuallyConsistentResponse(t, suite.RoundTripper, suite.TimeoutConfig, gwAddr, tc)
			})
		}

		if !suite.SupportedFeatures.Has(features.SupportFancy) {
			return
		}
		kubernetes.HTTPRouteMustHaveCondition(t, suite.Client, suite.TimeoutConfig, routeNN, gwNN, metav1.Condition{
			Type:   string(v1.RouteConditionAccepted),
			Status: metav1.ConditionTrue,
			Reason: string(v1.RouteReasonAccepted),
		})
		rg := v1.ReferenceGrant{ObjectMeta: metav1.ObjectMeta{Name: "grant", Namespace: ns}}
		require.NoError(t, suite.Client.Delete(context.TODO(), &rg))
		original := &v1.HTTPRoute{}
		require.NoError(t, suite.Client.Get(context.TODO(), routeNN, original))
		mutate := original.DeepCopy()
		mutate.Spec.ParentRefs = append(mutate.Spec.ParentRefs, v1.ParentReference{Name: v1.ObjectName(gwNN.Name)})
		require.NoError(t, suite.Client.Patch(context.TODO(), mutate, client.MergeFrom(original)))
	},
}
`,
}

func buildModules(t *testing.T) (string, string) {
	t.Helper()
	root := t.TempDir()
	conf, gw := filepath.Join(root, "conformance@v0.0.1"), filepath.Join(root, "gateway-api@v0.0.1")
	writeTree(t, conf, conformanceFiles)
	writeTree(t, gw, gatewayAPIFiles)
	return conf, gw
}

// asJSON round-trips a value through encoding/json, so assertions compare plain data.
func asJSON(t *testing.T, v any) any {
	t.Helper()
	b, err := marshalNoEscape(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestValueResolverEvaluatesConstantsConversionsAndFormatting(t *testing.T) {
	conf, gw := buildModules(t)
	writeTree(t, conf, map[string]string{"tests/values.go": `package tests

import (
	"fmt"
	"strings"

	"k8s.io/utils/ptr"
	v1 "sigs.k8s.io/gateway-api/apis/v1"
	confsuite "sigs.k8s.io/gateway-api/conformance/utils/suite"
)

const base = "infra"

var (
	sprintf    = fmt.Sprintf("%s-%d/%q%%", base, 3, "x")
	conversion = string(v1.RouteConditionAccepted)
	named      = v1.Kind("HTTPRoute")
	pointer    = ptr.To(v1.SectionName("http"))
	group      = (*v1.Group)(new(v1.Group(v1.GroupName)))
	list       = []string{base + "-x", confsuite.InfrastructureNamespace}
	length     = len(list) * 2
	split      = strings.Split("a:b", ":")[1]
	literal    = struct{ Host string; Code int }{"h", 7}
	missing    = undefinedName
)
`})
	fset := token.NewFileSet()
	in := NewInterp(fset, NewLoader(fset, conf, gw))
	p, err := in.ld.Load(conformanceModule + "/tests")
	if err != nil || p == nil {
		t.Fatalf("load: %v", err)
	}
	in.st = &walkState{}
	cases := map[string]any{
		"sprintf":    `infra-3/"x"%`,
		"conversion": "Accepted",
		"named":      "HTTPRoute",
		"pointer":    "http",
		"group":      "gateway.networking.k8s.io",
		"list":       []any{"infra-x", "gateway-conformance-infra"},
		"length":     float64(4),
		"split":      "b",
		"literal":    map[string]any{"host": "h", "code": float64(7)},
	}
	for name, want := range cases {
		v, ok := in.pkgValue(p, name)
		if !ok {
			t.Fatalf("%s: not found", name)
		}
		if got := asJSON(t, toJSON(v)); !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, want %#v", name, got, want)
		}
	}
	v, _ := in.pkgValue(p, "missing")
	u, ok := v.(Unresolved)
	if !ok || u.Source != "undefinedName" || !strings.HasPrefix(u.Pos, "tests/values.go:") {
		t.Errorf("missing = %#v, want an Unresolved value with source and position", v)
	}
}

func TestExtractRecordsStepsWithResolvedArguments(t *testing.T) {
	conf, gw := buildModules(t)
	doc, err := Extract(conf, gw)
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Tests) != 1 || !doc.Tests[0].Registered || !doc.Tests[0].Analysed {
		t.Fatalf("want one registered, analysed test, got %+v", doc.Tests)
	}
	test := doc.Tests[0]
	if got := asJSON(t, test.Features); !reflect.DeepEqual(got, []any{"Gateway", "HTTPRoute"}) {
		t.Errorf("features = %v", got)
	}
	var kinds []string
	for _, s := range test.Steps {
		kinds = append(kinds, s.Kind)
	}
	wantKinds := []string{"status", "httpRequest", "httpRequest", "status", "mutation", "mutation"}
	if !reflect.DeepEqual(kinds, wantKinds) {
		t.Fatalf("step kinds = %v, want %v", kinds, wantKinds)
	}

	accepted := asJSON(t, test.Steps[0].Args).(map[string]any)
	if accepted["controllerName"] != "$CONTROLLER" {
		t.Errorf("controllerName = %v", accepted["controllerName"])
	}
	if gwRef := accepted["gw"].(map[string]any); gwRef["name"] != "same-namespace" || gwRef["namespace"] != "gateway-conformance-infra" {
		t.Errorf("gw = %v", gwRef)
	}

	first := test.Steps[1]
	if want := []string{"0 request to '/a' with headers should go to infra-backend-v1"}; !reflect.DeepEqual(first.Subtest, want) {
		t.Errorf("subtest = %v, want %v", first.Subtest, want)
	}
	c := asJSON(t, first.Case).(map[string]any)
	req := c["request"].(map[string]any)
	if req["method"] != "GET" || req["path"] != "/a" || req["headers"].(map[string]any)["X"] != "1" {
		t.Errorf("request = %v", req)
	}
	if codes := c["response"].(map[string]any)["statusCodes"]; !reflect.DeepEqual(codes, []any{float64(200)}) {
		t.Errorf("default status codes = %v", codes)
	}
	addr := asJSON(t, first.Address).(map[string]any)
	if addr["gateway"].(map[string]any)["name"] != "same-namespace" {
		t.Errorf("address = %v", addr)
	}
	second := asJSON(t, test.Steps[2].Case).(map[string]any)
	if codes := second["response"].(map[string]any)["statusCodes"]; !reflect.DeepEqual(codes, []any{float64(404)}) {
		t.Errorf("StatusCode not merged into statusCodes: %v", codes)
	}
	if test.Steps[2].Subtest[0] != "1 request to 'b.example/b' should receive one of []" {
		t.Errorf("subtest = %q", test.Steps[2].Subtest[0])
	}

	status := test.Steps[3]
	if len(status.Conditions) != 1 || status.Conditions[0].Feature != "HTTPRouteFancy" || *status.Conditions[0].FeatureSupported != true {
		t.Errorf("steps after a feature guard must require the feature: %+v", status.Conditions)
	}
	cond := asJSON(t, status.Args).(map[string]any)["condition"]
	if want := map[string]any{"type": "Accepted", "status": "True", "reason": "Accepted"}; !reflect.DeepEqual(cond, want) {
		t.Errorf("condition = %v, want %v", cond, want)
	}

	del := test.Steps[4].Mutation
	if del.Operation != "delete" || del.Kind != "ReferenceGrant" || del.Name != "grant" || del.Namespace != "gateway-conformance-infra" {
		t.Errorf("delete mutation = %+v", del)
	}
	patch := test.Steps[5].Mutation
	if patch.Operation != "patch" || patch.PatchType != "merge" || patch.Kind != "HTTPRoute" || patch.Name != "sample" {
		t.Errorf("patch mutation = %+v", patch)
	}
	if len(patch.Edits) != 1 || patch.Edits[0].Path != "spec.parentRefs" || patch.Edits[0].Op != "append" {
		t.Fatalf("edits = %+v", patch.Edits)
	}
	if got := asJSON(t, patch.Edits[0].Value); !reflect.DeepEqual(got, []any{map[string]any{"name": "same-namespace"}}) {
		t.Errorf("appended value = %v", got)
	}

	if doc.Totals.Gateway.HTTPRequests != 2 || doc.Totals.Gateway.HTTPRequestLiterals != 2 || doc.Totals.Gateway.StatusAssertions != 2 || doc.Totals.Gateway.Unresolved != 0 {
		t.Errorf("totals = %+v", doc.Totals.Gateway)
	}
}

func TestSprintfSupportsTheVerbsTheSuiteUses(t *testing.T) {
	got, ok := sprintf("%d request to '%s%s'%s: %v %t %%", []Value{int64(2), "h", "/p", "", &List{Elems: []Value{int64(200), int64(404)}}, true})
	if !ok || got != "2 request to 'h/p': [200 404] true %" {
		t.Errorf("got %q, %v", got, ok)
	}
	if _, ok := sprintf("%s", []Value{Runtime{Desc: "x"}}); ok {
		t.Error("runtime arguments must not format")
	}
}

func TestLowerCamelMatchesKubernetesFieldNames(t *testing.T) {
	for in, want := range map[string]string{"APIVersion": "apiVersion", "Name": "name", "CACertificateRefs": "caCertificateRefs", "SNI": "sni", "HTTPPort": "httpPort", "x": "x"} {
		if got := lowerCamel(in); got != want {
			t.Errorf("lowerCamel(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestURLValuesEncodeSortsKeysAndKeepsRuntimeValues(t *testing.T) {
	o := newObject(&TypeInfo{Kind: "named", Pkg: "url", Name: "Values"}, token.NoPos)
	o.IsMap = true
	urlValuesMethod(o, "Set", []Value{"b", "2 3"}, nil)
	urlValuesMethod(o, "Set", []Value{"a", Runtime{Desc: "uuid"}}, nil)
	if got := urlValuesMethod(o, "Encode", nil, nil); got != "a=${uuid}&b=2+3" {
		t.Errorf("Encode = %v", got)
	}
}
