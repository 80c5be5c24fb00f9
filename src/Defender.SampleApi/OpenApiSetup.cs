using Microsoft.OpenApi;

namespace Defender.SampleApi;

/// <summary>The bearer scheme, described once for both OpenAPI generators.</summary>
internal static class OpenApiSetup
{
    public const string SchemeName = "Bearer";

    public static OpenApiSecurityScheme BearerScheme() => new()
    {
        Type = SecuritySchemeType.Http,
        Scheme = "bearer",
        Description = "A token from configuration: dev-admin (every permission), dev-reader (read only), dev-nolive (no LiveResponse feature).",
    };

    public static OpenApiSecurityRequirement BearerRequirement(OpenApiDocument document) => new()
    {
        [new OpenApiSecuritySchemeReference(SchemeName, document)] = [],
    };

    public static void AddBearer(OpenApiDocument document)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[SchemeName] = BearerScheme();
        document.Security ??= [];
        document.Security.Add(BearerRequirement(document));
    }
}
