"""Public consultations on draft acts (Regulation 05/2016): draft, comments, report."""
