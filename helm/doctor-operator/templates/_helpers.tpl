{{/*
Names are fixed rather than derived from the release name: the operator's defaults (monitor
ServiceAccount doctor-monitor, inspector Service doctor-operator-inspector) and the monitors rely on them.
Cluster-scoped RBAC objects carry the namespace so an uninstalled release in another namespace never
clashes with this one.
*/}}
{{- define "doctor.name" -}}doctor-operator{{- end -}}
{{- define "doctor.monitorServiceAccount" -}}doctor-monitor{{- end -}}
{{- define "doctor.inspectorService" -}}doctor-operator-inspector{{- end -}}
{{- define "doctor.metricsService" -}}doctor-operator-metrics{{- end -}}
{{- define "doctor.clusterRole" -}}doctor-operator-{{ .Release.Namespace }}{{- end -}}

{{- define "doctor.labels" -}}
app.kubernetes.io/name: doctor-operator
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: doctor-operator
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* Selects the operator Pods only; the monitor Pods the operator creates have component=monitor. */}}
{{- define "doctor.selectorLabels" -}}
app.kubernetes.io/name: doctor-operator
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end -}}

{{- define "doctor.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{- define "doctor.monitorImage" -}}
{{ .Values.monitor.image.repository | default .Values.image.repository }}:{{ .Values.monitor.image.tag | default .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{- define "doctor.inspectorUrl" -}}
http://{{ include "doctor.inspectorService" . }}.{{ .Release.Namespace }}.svc:{{ .Values.inspector.service.port }}/events
{{- end -}}

{{/* Checks across values that the schema cannot express; each message names the value to fix. */}}
{{- define "doctor.validate" -}}
{{- $le := .Values.operator.leaderElection -}}
{{- if and (gt (int .Values.operator.replicas) 1) (not $le.enabled) -}}
{{- fail "operator.replicas > 1 needs operator.leaderElection.enabled=true: without a Lease every replica would act on every fault" -}}
{{- end -}}
{{- if and $le.enabled (ge (int $le.renewDeadlineSeconds) (int $le.leaseDurationSeconds)) -}}
{{- fail "operator.leaderElection.renewDeadlineSeconds must be shorter than leaseDurationSeconds" -}}
{{- end -}}
{{- if and $le.enabled (ge (int $le.retryPeriodSeconds) (int $le.renewDeadlineSeconds)) -}}
{{- fail "operator.leaderElection.retryPeriodSeconds must be shorter than renewDeadlineSeconds" -}}
{{- end -}}
{{- if and (has "static" (splitList "," .Values.inspector.auth)) (not .Values.inspector.tokenSecret) -}}
{{- fail "inspector.auth includes static: set inspector.tokenSecret to the Secret (key \"token\") external monitors use" -}}
{{- end -}}
{{- if and .Values.cloudsYaml.create (not .Values.cloudsYaml.content) -}}
{{- fail "cloudsYaml.create=true needs cloudsYaml.content (the clouds.yaml text)" -}}
{{- end -}}
{{- end -}}

{{/* The operator's command line: every flag the chart controls, then operator.extraArgs. */}}
{{- define "doctor.args" -}}
- operator
- {{ printf "--monitor-image=%s" (include "doctor.monitorImage" .) | quote }}
- {{ printf "--monitor-service-account=%s" (include "doctor.monitorServiceAccount" .) | quote }}
- {{ printf "--inspector-url=%s" (include "doctor.inspectorUrl" .) | quote }}
- "--inspector-port=12345"
- "--health-port=8081"
- {{ printf "--inspector-auth=%s" .Values.inspector.auth | quote }}
{{- with .Values.inspector.tokenSecret }}
- {{ printf "--inspector-token-secret=%s" . | quote }}
{{- end }}
- {{ printf "--inspector-max-clock-skew=%d" (int .Values.inspector.maxClockSkewSeconds) | quote }}
- {{ printf "--inspector-rate=%d" (int .Values.inspector.requestsPerSecond) | quote }}
{{- with .Values.operator.leaderElection }}
- {{ printf "--leader-elect=%t" .enabled | quote }}
{{- if .enabled }}
- {{ printf "--lease-duration=%d" (int .leaseDurationSeconds) | quote }}
- {{ printf "--renew-deadline=%d" (int .renewDeadlineSeconds) | quote }}
- {{ printf "--retry-period=%d" (int .retryPeriodSeconds) | quote }}
{{- end }}
{{- end }}
{{- range .Values.operator.extraArgs }}
- {{ . | quote }}
{{- end }}
{{- end -}}
