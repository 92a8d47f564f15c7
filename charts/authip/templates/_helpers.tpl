{{/* Chart name, truncated to the 63 characters of a DNS label. */}}
{{- define "authip.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified name; the release name alone when it already contains the chart name. */}}
{{- define "authip.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "authip.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Selector labels: never change them after the first install (Deployment selectors are immutable). */}}
{{- define "authip.selectorLabels" -}}
app.kubernetes.io/name: {{ include "authip.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "authip.labels" -}}
{{ include "authip.selectorLabels" . }}
helm.sh/chart: {{ include "authip.chart" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "authip.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "authip.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* One lease per install, so that sharded installs (label selectors) elect their leaders independently. */}}
{{- define "authip.leaseName" -}}
{{- default (printf "%s-leader" (include "authip.fullname" .)) .Values.operator.leaderElection.leaseName }}
{{- end }}

{{- define "authip.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* What the operator may do with its own resources; granted cluster-wide or per watched namespace. */}}
{{- define "authip.operatorRules" -}}
# informers list and watch; the finalizer is added and removed with a patch of the object, re-read (get)
# when that patch conflicts; status is written as an update carrying the resourceVersion it was computed from (the
# write-ahead intent before every Azure write must not overwrite a newer policy)
- apiGroups: ["authip.io"]
  resources: ["authorizedippolicies"]
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: ["authip.io"]
  resources: ["authorizedippolicies/status"]
  verbs: ["update"]
- apiGroups: ["authip.io"]
  resources: ["iprangesets"]
  verbs: ["list", "watch"]
- apiGroups: ["authip.io"]
  resources: ["iprangesets/status"]
  verbs: ["patch"]
# events with deterministic names: created, then read and patched with a count
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "get", "patch"]
{{- if eq .Values.tenancy.mode "grants" }}
# tenancy: a short-lived token of the grant's ServiceAccount in the policy's namespace, exchanged with Entra ID for
# the grant's Azure identity; only this one name (the name is in the URL, so resourceNames narrows create here)
- apiGroups: [""]
  resources: ["serviceaccounts/token"]
  resourceNames: [{{ .Values.tenancy.serviceAccountName | quote }}]
  verbs: ["create"]
{{- end }}
{{- end }}
