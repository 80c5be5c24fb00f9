using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Defender.ErrorMiddleware.Validation;

/// <summary>
/// Minimal APIs: gives the binder's JSON options the body contract (<see cref="ConfigureJson"/>) and has the binder throw its
/// failures instead of answering a bare 400. Post-configuration, so it sees the application's own JSON settings (naming
/// policy, source-generated contexts) and the framework's defaults it overrides.
/// </summary>
internal sealed class RequestValidationSetup(IOptions<DefenderErrorOptions> errorOptions) : IPostConfigureOptions<HttpJsonOptions>, IPostConfigureOptions<RouteHandlerOptions>
{
    private readonly DefenderErrorOptions _options = errorOptions.Value;

    public void PostConfigure(string? name, HttpJsonOptions options) => ConfigureJson(_options, options.SerializerOptions);

    public void PostConfigure(string? name, RouteHandlerOptions options)
    {
        if (_options.ValidateRequests)
        {
            // The runtime answers a body that fails to bind with a bare 400 and tells what failed only through this exception
            // (with the serializer's JsonException inside); the error pipeline translates it (see docs/validation.md).
            options.ThrowOnBadRequest = true;
        }
    }

    /// <summary>
    /// The body contract for a binder's JSON options: case-sensitive names, no duplicate members, required members and the
    /// wrong-case hint (<see cref="BodyContractModifier"/>).
    /// </summary>
    internal static void ConfigureJson(DefenderErrorOptions settings, JsonSerializerOptions options)
    {
        if (options.IsReadOnly)
        {
            return;
        }

        if (settings.CaseSensitiveRequestBodies)
        {
            options.PropertyNameCaseInsensitive = false;
        }

        if (!settings.ValidateRequests)
        {
            return;
        }

        // A member sent twice is refused by the serializer rather than the last one silently winning.
        options.AllowDuplicateProperties = false;
        if (options.TypeInfoResolver is { } resolver)
        {
            options.TypeInfoResolver = JsonTypeInfoResolver.Combine(resolver, BodyContractJsonContext.Default)
                .WithAddedModifier(new BodyContractModifier(settings.RejectUnknownBodyMembers).Modify);
        }
    }
}

/// <summary>
/// The binders' failures as the error pipeline's own exception mappings, added after the application's: minimal APIs'
/// <see cref="BadHttpRequestException"/> (with <c>ThrowOnBadRequest</c>), and a bare <see cref="JsonException"/> — what the
/// runtimes that let it bubble through problem details pass as the problem's exception. The pipeline never calls into input
/// handling; input handling registers with it.
/// </summary>
internal sealed class RequestInputMappings : IPostConfigureOptions<DefenderErrorOptions>
{
    public void PostConfigure(string? name, DefenderErrorOptions options)
    {
        if (!options.ValidateRequests)
        {
            return;
        }

        options.Map<BadHttpRequestException>((context, exception) =>
            RequestInputErrors.TryClassify(exception, BodyContract(context), out var error) ? error : null);
        // Only as the binder's answer (status 400 already set): an application's own JsonException stays a server fault.
        options.Map<JsonException>((context, exception) => context.Response.StatusCode == StatusCodes.Status400BadRequest
            ? RequestInputErrors.ForJson(exception, BodyContract(context))
            : null);
    }

    /// <summary>The minimal-API endpoint's body type, as its request delegate declares it, under the options it reads with.</summary>
    private static JsonTypeInfo? BodyContract(HttpContext context)
    {
        // Behind UseExceptionHandler() the request's endpoint is cleared before handlers run; the feature keeps it.
        var endpoint = context.GetEndpoint() ?? context.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerFeature>()?.Endpoint;
        // The options are read per failure (they depend on the error options this mapping is part of).
        return endpoint?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType is { } type
            ? RequestInputErrors.ContractOf(context.RequestServices.GetService<IOptions<HttpJsonOptions>>()?.Value.SerializerOptions, type)
            : null;
    }
}
