<#-- Branding: edit these in your copy of this template (see README.md). Plain text only;
     everything is HTML-escaped when printed. -->
<#assign brand = {
  "company": "Example Corp",
  "department": "IT Security",
  "reportTitle": "IMAPS-before-SSH access audit",
  "classification": "Internal — for auditors",
  "preparedBy": "",
  "reviewer": "",
  "logo": ""
}>
<#-- logo: a file name next to your copy of report.ftlh (e.g. "logo.png"), or "" for none -->
