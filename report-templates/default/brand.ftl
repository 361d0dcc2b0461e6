<#-- Branding: edit these in your copy of this template (see README.md). Plain text only;
     everything is HTML-escaped when printed. The defaults come from messages_LANG.properties
     (t["brand..."]) so the bundled report speaks the report's language; a literal "..." here
     replaces them in every language. -->
<#assign brand = {
  "company": "Example Corp",
  "department": t["brand.department"],
  "reportTitle": t["brand.reportTitle"],
  "classification": t["brand.classification"],
  "preparedBy": "",
  "reviewer": "",
  "logo": ""
}>
<#-- logo: a file name next to your copy of report.ftlh (e.g. "logo.png"), or "" for none -->
