using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Validation;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

// ValidationOptions.Resolvers is experimental in .NET 10; an empty list is how the framework itself tells AddValidation() was not called.
#pragma warning disable ASP0029

namespace Defender.ErrorMiddleware.Validation;

/// <summary>
/// Minimal APIs validate DataAnnotations only with .NET 10's <c>AddValidation()</c>. Without it, once the application has
/// started (its endpoints are final), this logs one warning naming the minimal-API endpoints whose parameters or body carry
/// validation attributes that nothing checks. It reads the framework's own endpoint data (<see cref="EndpointDataSource"/>), and
/// logs under its own category, apart from the error lines.
/// </summary>
internal sealed partial class UnvalidatedEndpointsWarning(IServiceProvider services, IHostApplicationLifetime lifetime, ILogger<UnvalidatedEndpointsWarning> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(Warn);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Warn()
    {
        if (services.GetService<IOptions<ValidationOptions>>()?.Value.Resolvers.Count > 0 || services.GetService<EndpointDataSource>() is not { } source)
        {
            return;
        }

        var json = services.GetRequiredService<IOptions<HttpJsonOptions>>().Value.SerializerOptions;
        // Minimal APIs carry their handler's MethodInfo; MVC actions (validated by MVC itself) their ActionDescriptor.
        var names = source.Endpoints
            .Where(endpoint => endpoint.Metadata.GetMetadata<MethodInfo>() is { } handler
                && endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Mvc.Abstractions.ActionDescriptor>() is null
                && (handler.GetParameters().Any(static p => p.IsDefined(typeof(ValidationAttribute), inherit: true))
                    || (endpoint.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType is { } body && HasRules(json, body, []))))
            .Select(static endpoint => endpoint.DisplayName ?? endpoint.ToString())
            .ToArray();
        if (names.Length > 0)
        {
            UnvalidatedEndpoints(logger, string.Join(", ", names));
        }
    }

    /// <summary>Whether a body type, its members or the values below them carry validation attributes (read from the JSON contract).</summary>
    private static bool HasRules(JsonSerializerOptions json, Type type, HashSet<Type> seen)
    {
        if (!seen.Add(type))
        {
            return false;
        }

        if (typeof(IValidatableObject).IsAssignableFrom(type))
        {
            return true;
        }

        if (RequestInputErrors.ContractOf(json, type) is not { } info)
        {
            return false;
        }

        return info.ElementType is { } element
            ? HasRules(json, element, seen)
            : info.Kind == JsonTypeInfoKind.Object && info.Properties.Any(p =>
                p.AttributeProvider?.IsDefined(typeof(ValidationAttribute), inherit: true) == true
                || p.AssociatedParameter?.AttributeProvider?.IsDefined(typeof(ValidationAttribute), inherit: true) == true
                || HasRules(json, p.PropertyType, seen));
    }

    [LoggerMessage(EventId = 20, EventName = "DefenderUnvalidatedEndpoints", Level = LogLevel.Warning,
        Message = "Validation attributes on these minimal-API endpoints are checked by nothing: {Endpoints}. Call builder.Services.AddValidation() (.NET 10) to validate them.")]
    private static partial void UnvalidatedEndpoints(ILogger logger, string endpoints);
}
