using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Defender.SampleApi.Auth;

/// <summary>
/// Accepts <c>Authorization: Bearer &lt;token&gt;</c> for the tokens in configuration. It only challenges (a bodiless 401
/// with <c>WWW-Authenticate</c>) and forbids (a bodiless 403): the error middleware writes the envelope, as it would
/// for JwtBearer or any other real handler.
/// </summary>
internal sealed class BearerTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptionsMonitor<SampleApiOptions> sampleOptions)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";
    public const string PermissionClaim = "scp";
    public const string TenantClaim = "tid";
    private const string Prefix = "Bearer ";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (!header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(AuthenticateResult.Fail("The Authorization header is not a bearer token."));
        }

        var token = header[Prefix.Length..].Trim();
        if (!sampleOptions.CurrentValue.Tokens.TryGetValue(token, out var grant))
        {
            return Task.FromResult(AuthenticateResult.Fail("The bearer token is not valid."));
        }

        // The identity's name, never the token: whatever the API records or shows about the caller must not hand out its secret.
        List<Claim> claims = [new(ClaimTypes.NameIdentifier, grant.Name), new(ClaimTypes.Name, grant.Name), new(TenantClaim, grant.Tenant)];
        claims.AddRange(grant.Permissions.Select(p => new Claim(PermissionClaim, p)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        // RFC 6750: say which scheme is expected, and that the token was rejected when one was sent.
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = Request.Headers.Authorization.Count == 0 ? "Bearer" : "Bearer error=\"invalid_token\"";
        return Task.CompletedTask;
    }
}
