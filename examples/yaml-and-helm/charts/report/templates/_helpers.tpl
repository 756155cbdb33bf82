{{- define "report.labels" -}}
app: {{ .Release.Name }}
{{- end }}
