namespace Defender.SampleApi.Auth;

/// <summary>Route authorization as Defender documents it: "one of the following permissions is required".</summary>
internal static class PermissionRequirements
{
    /// <summary>Admits a token that holds any of <paramref name="permissions"/>; others get a bodiless 403 (Forbidden).</summary>
    public static TBuilder RequireAnyPermission<TBuilder>(this TBuilder builder, params string[] permissions)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(p => p.RequireClaim(BearerTokenHandler.PermissionClaim, permissions));
}
