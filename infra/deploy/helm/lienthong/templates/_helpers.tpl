{{- define "lienthong.name" -}}{{ .Release.Name }}-lienthong{{- end -}}
{{- define "lienthong.secretName" -}}{{ .Values.secrets.existingSecret | default (printf "%s-secrets" (include "lienthong.name" .)) }}{{- end -}}
{{- define "lienthong.image" -}}{{ .Values.image.repository }}:{{ .Values.image.tag }}{{- end -}}
{{- define "lienthong.envFrom" -}}
- configMapRef: { name: {{ include "lienthong.name" . }}-config }
- secretRef: { name: {{ include "lienthong.secretName" . }} }
{{- end -}}
