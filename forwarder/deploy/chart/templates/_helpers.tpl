{{- define "forwarder.name" -}}switchyard-forwarder{{- end -}}
{{- define "forwarder.labels" -}}
app.kubernetes.io/name: {{ include "forwarder.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}
{{- define "forwarder.selector" -}}
app.kubernetes.io/name: {{ include "forwarder.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- /* Fails on a statusMode other than direct or via-forwarder, or a queue URL that does not fit it. */ -}}
{{- define "forwarder.statusMode" -}}
{{- if not (has .Values.statusMode (list "direct" "via-forwarder")) }}
{{- fail (printf "statusMode must be direct or via-forwarder, not %q" (toString .Values.statusMode)) }}
{{- end }}
{{- if and (eq .Values.statusMode "via-forwarder") (not .Values.statusQueueUrl) }}
{{- fail "statusQueueUrl is required with statusMode via-forwarder" }}
{{- end }}
{{- if and (eq .Values.statusMode "direct") .Values.statusQueueUrl }}
{{- fail "statusQueueUrl is set but statusMode is direct: set statusMode to via-forwarder, or leave statusQueueUrl empty" }}
{{- end }}
{{- end -}}
