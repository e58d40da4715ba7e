"""Signing in, refreshing tokens and keeping accounts."""

from services.gateway import accounts, references, signin
from services.gateway.api import api
from services.gateway.responses import TokenSchema, UserSchema
from services.gateway.routes import caller_of
from services.gateway.schemas import (
    CreateUserSchema,
    RefreshRequestSchema,
    TokenRequestSchema,
    UpdateUserSchema,
)


class AccountRoutes:
    @api(
        "POST",
        "/api/auth/token",
        public=True,
        body=TokenRequestSchema,
        response=TokenSchema,
        errors=(401, 429, 503),
    )
    def issue_token(self, request):
        """Exchange a username and password for an access and a refresh token."""
        settings = signin.Settings.from_config(self.config)
        body = request.body
        return signin.sign_in(
            self.db, settings, body["username"], body["password"], request.remote_addr
        )

    @api(
        "POST",
        "/api/auth/refresh",
        public=True,
        body=RefreshRequestSchema,
        response=TokenSchema,
        errors=(401, 503),
    )
    def refresh_token(self, request):
        """Trade a refresh token (each works once) for a new pair of tokens."""
        settings = signin.Settings.from_config(self.config)
        return signin.refresh(self.db, settings, request.body["refresh_token"])

    @api(
        "POST",
        "/api/users",
        body=CreateUserSchema,
        response=UserSchema,
        status=201,
        idempotent=True,
        errors=(409, 422),
    )
    def create_user(self, request):
        """Create an account (admin only); 422 if its community, team,
        volunteer or bank does not exist."""
        references.require_account_references(self, caller_of(request), request.body)
        with self.db.transaction() as uow:
            user = accounts.create_user(uow.session, request.body)
            return accounts.user_view(user)

    @api(
        "PATCH",
        "/api/users/<string:user_id>",
        body=UpdateUserSchema,
        response=UserSchema,
        errors=(409,),
    )
    def update_user(self, request, user_id):
        """Disable or enable an account; a disabled one's tokens stop working."""
        with self.db.transaction() as uow:
            user = accounts.set_disabled(
                uow.session, request.caller, user_id, request.body["disabled"]
            )
        # committed: this process's next request reads the account again (the
        # others hear of it from PostgreSQL, see active_accounts)
        self.active_accounts.forget(user.id)
        return accounts.user_view(user)
