"""Per-feature test data, built through the real services (no inserts around the rules), instead of the demo.

- organisation: the agencies tree (province, center, departments, communes, their police) and officials with roles
  per agency; `official(role, agency)` is the one lookup of who does a step.
- catalog: the models of bpmn/ deployed by the real deployment service, their procedures, rule sets, calendar days.
- dossiers: `Desk` receives a dossier and moves it to a step as each step's official; `form_data` fills a form.
- auth: factory_boy rows for the account tests that need many throwaway users and agencies.
"""
