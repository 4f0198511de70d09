"""Viewflow's interface strings, marked here so that `makemessages` copies them into our catalogues.

Viewflow ships no Albanian or Serbian Latin catalogue (only Serbian Cyrillic, in
viewflow/locale/sr), so its menus, buttons, error pages and messages would stay in English
for officials reading the site in Albanian or Serbian. Django looks in LOCALE_PATHS before the
apps' own catalogues, so a translation in config/locale wins over (or fills in for) viewflow's.
`makemessages` scans only our own code, never .venv: listing the strings in this module is how
they reach config/locale/*/LC_MESSAGES/django.po, where they are translated like ours.

The msgids are copied exactly from viewflow (django-viewflow 2.4: its templates, including
registration/*.html and the error pages, viewflow/contrib/auth.py, viewflow/views/*.py and
viewflow/workflow): a msgid that differs by a character, a space or an apostrophe would match
nothing at runtime. Nothing imports this module: gettext_noop, and pgettext_lazy for the strings
viewflow gives a context, only mark the strings for extraction.

When viewflow is upgraded, compare with the strings it marks (`django-admin makemessages` run
in a copy of its package) and add the new user-facing ones here.
"""

from django.utils.translation import gettext_noop, pgettext_lazy

STRINGS = (
    # The page frame (viewflow/base_page.html, includes/site_menu.html, includes/app_menu.html)
    gettext_noop("Applications"),
    gettext_noop("Back"),
    gettext_noop("Profile"),
    gettext_noop("Log out"),
    gettext_noop("Login"),
    # Lists, details and forms (views/*.html; includes/list_filter.html, list_bulk_actions.html,
    # object_detail_card.html)
    gettext_noop("Filter"),
    gettext_noop("Pick an action"),
    gettext_noop("Add new"),
    gettext_noop("New"),
    gettext_noop("Add"),
    gettext_noop("Change"),
    gettext_noop("Save"),
    gettext_noop("View"),
    gettext_noop("Delete"),
    gettext_noop('"%(escaped_object)s" and all of the following related items will be deleted'),
    gettext_noop("Flow Chart"),
    gettext_noop("State chart"),
    gettext_noop("Confirm"),
    gettext_noop("Export"),
    gettext_noop("Import"),
    # Messages shown in the snackbar after a change (views/create.py, update.py, delete.py)
    gettext_noop("The {obj} was added successfully. {link}"),
    gettext_noop("The {obj} was changed successfully. {link}"),
    gettext_noop("The {obj} was deleted successfully."),
    # Error pages (400.html, 403.html, 404.html, 500.html)
    gettext_noop("Bad Request"),
    gettext_noop("Access Forbidden"),
    gettext_noop("You are not logged in"),
    gettext_noop("%(user)s have no rights to access this page"),
    gettext_noop("Log in as another user"),
    gettext_noop("Page not found"),
    gettext_noop("We're sorry, but the requested page could not be found."),
    gettext_noop("Server error"),
    gettext_noop(
        "There's been an error. It's been reported to the site administrators via "
        "email and should be fixed shortly. Thanks for your patience."
    ),
    gettext_noop("View site"),
    # Signing in and out, passwords (registration/*.html, viewflow/contrib/auth.py)
    gettext_noop("Log in"),
    gettext_noop("Reset password"),
    gettext_noop("Logout"),
    gettext_noop("Thanks for spending some quality time with the Web site today."),
    gettext_noop("Log in again"),
    gettext_noop("Change password"),
    gettext_noop("Your password was changed."),
    gettext_noop("Change my password"),
    gettext_noop(
        "Please enter your new password twice so we can verify you typed it in correctly."
    ),
    gettext_noop(
        "The password reset link was invalid, possibly because it has already been "
        "used.  Please request a new password reset."
    ),
    gettext_noop("Your password has been set.  You may go ahead and log in now."),
    gettext_noop(
        "Forgotten your password? Enter your email address below, and we’ll email "
        "instructions for setting a new one."
    ),
    gettext_noop(
        "We’ve emailed you instructions for setting your password, if an account "
        "exists with the email you entered. You should receive them shortly."
    ),
    gettext_noop(
        "If you don’t receive an email, please make sure you’ve entered the address "
        "you registered with, and check your spam folder."
    ),
    gettext_noop("Reset"),
    gettext_noop("Cancel"),
    gettext_noop("Edit"),
    gettext_noop("Submit"),
    # Workflows: menus, lists and task pages (viewflow/workflow: templates, flow/views, models.py)
    gettext_noop("Workflow"),
    gettext_noop("Processes"),
    gettext_noop("Process"),
    gettext_noop("Process list"),
    gettext_noop("New process"),
    gettext_noop("Process brief"),
    gettext_noop("Task"),
    gettext_noop("Tasks"),
    gettext_noop("Flow"),
    gettext_noop("Dashboard"),
    gettext_noop("Inbox"),
    gettext_noop("Queue"),
    gettext_noop("Archive"),
    gettext_noop("Show all"),
    gettext_noop("Brief"),
    gettext_noop("Type"),
    gettext_noop("Description"),
    gettext_noop("Owner"),
    gettext_noop("Status"),
    gettext_noop("Created"),
    gettext_noop("Started"),
    gettext_noop("Assigned"),
    gettext_noop("Finished"),
    gettext_noop("Start"),
    gettext_noop("Start and continue"),
    gettext_noop("Execute"),
    gettext_noop("Execute and continue"),
    gettext_noop("No rights to execute"),
    gettext_noop("Assign"),
    gettext_noop("Assign and continue"),
    gettext_noop("Assign selected tasks"),
    gettext_noop("Unassign"),
    gettext_noop("Unassign selected tasks"),
    gettext_noop("Undo"),
    gettext_noop("Revive"),
    gettext_noop("confirm"),
    gettext_noop("Previous tasks"),
    gettext_noop("No previous tasks"),
    gettext_noop("Next tasks"),
    gettext_noop("No next tasks"),
    gettext_noop("Subprocess"),
    gettext_noop("You have no rights to view this task"),
    # Workflow messages (workflow/flow/views/actions.py, create.py, update.py)
    gettext_noop("Process {process} has been started."),
    gettext_noop("Task {task} has been assigned."),
    gettext_noop("Task {task} has been unassigned."),
    gettext_noop("Task {task} has been completed."),
    gettext_noop("Task {task} has been canceled."),
    gettext_noop("Task {task} has been undone."),
    gettext_noop("Task {task} has been revived."),
    gettext_noop("Process #%(pk)s has been canceled."),
    gettext_noop("Process #%(pk)s can not be canceled."),
)

# Process and task statuses: viewflow marks them with the context "STATUS"
# (viewflow/workflow/status.py), so they are marked with the same context here.
STATUSES = (
    pgettext_lazy("STATUS", "New"),
    pgettext_lazy("STATUS", "Started"),
    pgettext_lazy("STATUS", "Assigned"),
    pgettext_lazy("STATUS", "Scheduled"),
    pgettext_lazy("STATUS", "Done"),
    pgettext_lazy("STATUS", "Canceled"),
    pgettext_lazy("STATUS", "Error"),
    pgettext_lazy("STATUS", "Revived"),
)
