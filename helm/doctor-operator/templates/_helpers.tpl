{{/*
Names follow the release as in most charts: the release "doctor-operator" (the documented one) gives
doctor-operator, doctor-operator-inspector, doctor-monitor, ...; fullnameOverride sets the stem. The
operator learns every name it needs (monitor ServiceAccount and object prefix, Lease, inspector URL) from
its flags. Cluster-scoped RBAC objects carry the namespace so an uninstalled release in another
namespace never clashes with this one.
*/}}
{{- define "doctor.name" -}}
{{- .Values.nameOverride | default .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "doctor.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "doctor.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* A name derived from the fullname with a suffix, within the 63 characters of a Service name. */}}
{{- define "doctor.suffixed" -}}
{{- $root := index . 0 -}}{{- $suffix := index . 1 -}}
{{- printf "%s-%s" (include "doctor.fullname" $root | trunc (int (sub 62 (len $suffix))) | trimSuffix "-") $suffix -}}
{{- end -}}

{{/* The monitors' ServiceAccount and the prefix of their DaemonSets and ConfigMaps (<prefix>-<policy>):
doctor-operator gives doctor-monitor. At most 40 characters, so a policy name still fits in 63. */}}
{{- define "doctor.monitorName" -}}
{{- printf "%s-monitor" (include "doctor.fullname" . | trimSuffix "-operator" | trunc 32 | trimSuffix "-") -}}
{{- end -}}
{{- define "doctor.monitorServiceAccount" -}}{{ include "doctor.monitorName" . }}{{- end -}}
{{- define "doctor.inspectorService" -}}{{ include "doctor.suffixed" (list . "inspector") }}{{- end -}}
{{- define "doctor.metricsService" -}}{{ include "doctor.suffixed" (list . "metrics") }}{{- end -}}
{{- define "doctor.leaseName" -}}{{ include "doctor.suffixed" (list . "leader") }}{{- end -}}
{{- define "doctor.clusterRole" -}}{{ include "doctor.fullname" . }}-{{ .Release.Namespace }}{{- end -}}

{{- define "doctor.labels" -}}
app.kubernetes.io/name: {{ include "doctor.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: doctor-operator
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* Selects the operator Pods only; the monitor Pods the operator creates have component=monitor. */}}
{{- define "doctor.selectorLabels" -}}
app.kubernetes.io/name: {{ include "doctor.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end -}}

{{/* repository@digest when a digest is set (the tag is then ignored), else repository:tag. */}}
{{- define "doctor.imageRef" -}}
{{- $image := index . 0 -}}{{- $defaultTag := index . 1 -}}
{{- if $image.digest -}}
{{ $image.repository }}@{{ $image.digest }}
{{- else -}}
{{ $image.repository }}:{{ $image.tag | default $defaultTag }}
{{- end -}}
{{- end -}}

{{- define "doctor.image" -}}
{{ include "doctor.imageRef" (list .Values.image .Chart.AppVersion) }}
{{- end -}}

{{/* The monitor image: each field of monitor.image falls back to image's. */}}
{{- define "doctor.monitorImage" -}}
{{- $m := .Values.monitor.image -}}
{{- $image := dict "repository" ($m.repository | default .Values.image.repository) -}}
{{- if $m.repository -}}
{{- $_ := set $image "tag" $m.tag -}}{{- $_ := set $image "digest" $m.digest -}}
{{- else -}}
{{- $_ := set $image "tag" ($m.tag | default .Values.image.tag) -}}
{{- $_ := set $image "digest" ($m.digest | default (ternary .Values.image.digest "" (not $m.tag))) -}}
{{- end -}}
{{ include "doctor.imageRef" (list $image .Chart.AppVersion) }}
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
- {{ printf "--log-level=%s" .Values.operator.logLevel | quote }}
- "--health-probe-bind-address=:8081"
- "--metrics-bind-address=:8081"
- "--inspector-bind-address=:12345"
- {{ printf "--monitor-image=%s" (include "doctor.monitorImage" .) | quote }}
- {{ printf "--monitor-image-pull-policy=%s" .Values.image.pullPolicy | quote }}
{{- with .Values.imagePullSecrets }}
{{- $names := list }}{{- range . }}{{- $names = append $names .name }}{{- end }}
- {{ printf "--monitor-image-pull-secrets=%s" (join "," $names) | quote }}
{{- end }}
- {{ printf "--monitor-service-account=%s" (include "doctor.monitorServiceAccount" .) | quote }}
- {{ printf "--monitor-name-prefix=%s" (include "doctor.monitorName" .) | quote }}
{{- with .Values.monitor.priorityClassName }}
- {{ printf "--monitor-priority-class=%s" . | quote }}
{{- end }}
- {{ printf "--monitor-resources=%s" (toJson .Values.monitor.resources) | quote }}
- {{ printf "--inspector-url=%s" (include "doctor.inspectorUrl" .) | quote }}
- {{ printf "--inspector-auth=%s" .Values.inspector.auth | quote }}
{{- with .Values.inspector.tokenSecret }}
- {{ printf "--inspector-token-secret=%s" . | quote }}
{{- end }}
- {{ printf "--inspector-max-clock-skew=%d" (int .Values.inspector.maxClockSkewSeconds) | quote }}
- {{ printf "--inspector-rate=%d" (int .Values.inspector.requestsPerSecond) | quote }}
{{- with .Values.maintenance.replyUrl }}
- {{ printf "--maintenance-reply-url=%s" . | quote }}
{{- end }}
- {{ printf "--maintenance-poll-ms=%d" (int .Values.maintenance.pollMilliseconds) | quote }}
{{- with .Values.operator.leaderElection }}
- {{ printf "--leader-elect=%t" .enabled | quote }}
{{- if .enabled }}
- {{ printf "--lease-name=%s" (include "doctor.leaseName" $) | quote }}
- {{ printf "--lease-duration=%d" (int .leaseDurationSeconds) | quote }}
- {{ printf "--renew-deadline=%d" (int .renewDeadlineSeconds) | quote }}
- {{ printf "--retry-period=%d" (int .retryPeriodSeconds) | quote }}
{{- end }}
{{- end }}
{{- range .Values.operator.extraArgs }}
- {{ . | quote }}
{{- end }}
{{- end -}}
