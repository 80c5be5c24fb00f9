using Microsoft.OpenApi;

namespace Defender.SampleApi;

/// <summary>
/// What both OpenAPI generators describe the same way: the info, the tags, the server and the bearer scheme — so that both
/// documents pass the common linters' recommended rules (docs/clients.md lists the warnings left on purpose).
/// </summary>
internal static class OpenApiSetup
{
    public const string SchemeName = "Bearer";

    private static readonly Dictionary<string, string> TagDescriptions = new(StringComparer.Ordinal)
    {
        ["Machines"] = "Devices in the tenant: list (OData), one by id or computer name, find by tag.",
        ["Machine actions"] = "Response actions on a device (isolate, scan, restrict, collect, offboard, live response), their status and cancellation.",
        ["Indicators"] = "Indicators of compromise: file hashes, IP addresses, domains and URLs with the action to take.",
        ["Diagnostics"] = "Endpoints that show how failures look; off unless configured.",
    };

    public static OpenApiInfo Info() => new()
    {
        Title = "Defender sample API",
        Version = "v1",
        Description = "A Defender-style API: every error is the Microsoft 365 Defender envelope "
            + "{\"error\":{\"code\",\"message\",\"target\"}}; quote the target when contacting support.",
        License = new OpenApiLicense { Name = "MIT", Url = new Uri("https://spdx.org/licenses/MIT.html") },
    };

    /// <summary>Info, tag descriptions and a server URL without the trailing slash that Microsoft.AspNetCore.OpenApi adds.</summary>
    public static void Describe(OpenApiDocument document)
    {
        document.Info = Info();
        foreach (var tag in document.Tags ?? Enumerable.Empty<OpenApiTag>())
        {
            if (tag.Name is { } name && TagDescriptions.TryGetValue(name, out var description))
            {
                tag.Description = description;
            }
        }

        foreach (var server in document.Servers ?? Enumerable.Empty<OpenApiServer>())
        {
            if (server.Url is { Length: > 1 } url && url.EndsWith('/'))
            {
                server.Url = url.TrimEnd('/');
            }
        }
    }

    /// <summary>The server the document was asked from (Swashbuckle lists none unless told).</summary>
    public static void UseServerOf(OpenApiDocument document, HttpRequest request) =>
        document.Servers = [new OpenApiServer { Url = $"{request.Scheme}://{request.Host.Value}{request.PathBase}" }];

    /// <summary>The bearer scheme; only in Development does it name the development tokens (nowhere else do they work).</summary>
    public static OpenApiSecurityScheme BearerScheme(bool development) => new()
    {
        Type = SecuritySchemeType.Http,
        Scheme = "bearer",
        Description = development
            ? "A token from configuration: dev-admin (every permission), dev-reader (read only), dev-nolive (no LiveResponse feature)."
            : "A token from configuration (SampleApi:Tokens).",
    };

    public static OpenApiSecurityRequirement BearerRequirement(OpenApiDocument document) => new()
    {
        [new OpenApiSecuritySchemeReference(SchemeName, document)] = [],
    };

    public static void AddBearer(OpenApiDocument document, bool development)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[SchemeName] = BearerScheme(development);
        document.Security ??= [];
        document.Security.Add(BearerRequirement(document));
    }
}

/// <summary>Swashbuckle's hook for <see cref="OpenApiSetup.Describe"/>.</summary>
internal sealed class DescribeDocumentFilter : Swashbuckle.AspNetCore.SwaggerGen.IDocumentFilter
{
    public void Apply(OpenApiDocument swaggerDoc, Swashbuckle.AspNetCore.SwaggerGen.DocumentFilterContext context) =>
        OpenApiSetup.Describe(swaggerDoc);
}
