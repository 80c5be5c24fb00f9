using System.Collections;
using System.Collections.Frozen;
using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Defender.ErrorMiddleware.Catalog;
using Defender.ErrorMiddleware.Metadata;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.Mvc.Authorization;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.ModelBinding.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Defender.ErrorMiddleware.OpenApi.Shared;

/// <summary>
/// The one place that decides which error responses an operation documents, so the Microsoft.AspNetCore.OpenApi and the
/// Swashbuckle packages cannot drift: both compile this file, hand it the same <see cref="ApiDescription"/> and only translate
/// its answer. It reads only the core's public API (options, catalog, endpoint metadata interfaces).
/// </summary>
/// <remarks>
/// Rules: a body (JSON or form) gives 400 InvalidRequestBody and MissingRequiredParameter; a route, query or header value of a
/// type that can fail to parse gives 400 InvalidInput (a constrained route value, <c>{id:int}</c>, gives 404 NotFound instead:
/// routing rejects it), and a required query or header value MissingRequiredParameter;
/// validation attributes on parameters and body properties add their codes (<see cref="IDefenderErrorCodeSource"/>, else
/// <c>[Required]</c> MissingRequiredParameter and any other DataAnnotations attribute InvalidInput); authorization gives 401
/// Unauthorized and 403 Forbidden; a route parameter gives 404 ResourceNotFound; a declared bodiless 4xx/5xx response gives the
/// code the middleware writes for that status; 500 InternalServerError always. Then <see cref="IProducesDefenderErrorMetadata"/>
/// on parameters, their types and the endpoint add or remove codes, in metadata order.
/// </remarks>
internal sealed class DefenderErrorResponseInference
{
    /// <summary>The component schema every error response references.</summary>
    internal const string SchemaName = "DefenderError";

    /// <summary>The GUID shown as <c>target</c> in examples (the spec's own example).</summary>
    internal const string SampleTarget = "43f4cb08-8fac-4b65-9db1-745c2ae65f3a";

    private const int MaxTypeDepth = 6;

    private static readonly string InvalidRequestBody = DefenderErrorCatalog.Name(DefenderErrorCode.InvalidRequestBody);
    private static readonly string MissingRequiredParameter = DefenderErrorCatalog.Name(DefenderErrorCode.MissingRequiredParameter);
    private static readonly string InvalidInput = DefenderErrorCatalog.Name(DefenderErrorCode.InvalidInput);

    private readonly DefenderErrorOptions _options;
    private readonly bool _fallbackPolicyApplies;
    private readonly EndpointDataSource? _endpoints;
    private readonly Dictionary<string, DefenderErrorCodeInfo> _codes = new(StringComparer.Ordinal);
    private readonly Lazy<Dictionary<ActionDescriptor, IReadOnlyList<object>>> _actionEndpointMetadata;

    public DefenderErrorResponseInference(DefenderErrorOptions options, AuthorizationOptions? authorization = null, EndpointDataSource? endpoints = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _fallbackPolicyApplies = authorization?.FallbackPolicy is not null;
        _endpoints = endpoints;
        _actionEndpointMetadata = new(BuildActionEndpointMetadata, LazyThreadSafetyMode.ExecutionAndPublication);

        var order = 0;
        foreach (var descriptor in DefenderErrorCatalog.All)
        {
            string example;
            string documented;
            if (DefenderErrorDocumentation.Of(descriptor.Code).Placeholders.Length == 0)
            {
                // What the middleware really writes when the error carries no message of its own.
                example = options.GetDefaultMessage(descriptor.Code);
                documented = example;
            }
            else
            {
                example = DefenderErrorDocumentation.ExampleMessage(descriptor);
                documented = DefenderErrorDocumentation.DocumentedTemplate(descriptor);
            }

            _codes.Add(descriptor.Name, new DefenderErrorCodeInfo(descriptor.Name, descriptor.StatusCode, order++, example, documented));
        }

        foreach (var registered in options.RegisteredCodes.Values.OrderBy(r => r.Code, StringComparer.Ordinal))
        {
            _codes.Add(registered.Code, new DefenderErrorCodeInfo(registered.Code, registered.StatusCode, order++, registered.DefaultMessage, registered.DefaultMessage));
        }

        AllCodes = [.. _codes.Values.OrderBy(c => c.Order)];
    }

    /// <summary>Every code the application can answer with: the documented ones in the spec's order, then the registered ones by name.</summary>
    internal IReadOnlyList<DefenderErrorCodeInfo> AllCodes { get; }

    /// <summary>Creates the inference from the application's services (options, authorization fallback policy, endpoints).</summary>
    internal static DefenderErrorResponseInference Create(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.GetService<IOptions<DefenderErrorOptions>>()?.Value ?? new DefenderErrorOptions();
        var authorization = services.GetService<IOptions<AuthorizationOptions>>()?.Value;
        return new DefenderErrorResponseInference(options, authorization, services.GetService<EndpointDataSource>());
    }

    /// <summary>A fresh example body for a code: its example message and the sample target.</summary>
    internal static JsonObject CreateExample(DefenderErrorCodeInfo code) =>
        new()
        {
            ["error"] = new JsonObject
            {
                ["code"] = code.Name,
                ["message"] = code.ExampleMessage,
                ["target"] = SampleTarget,
            },
        };

    /// <summary>The error responses of one operation, by ascending status; each lists its codes in catalog order.</summary>
    internal IReadOnlyList<DefenderErrorResponse> Infer(ApiDescription description)
    {
        ArgumentNullException.ThrowIfNull(description);
        var codes = new HashSet<string>(StringComparer.Ordinal);
        var declarations = new List<IProducesDefenderErrorMetadata>();
        var metadata = EndpointMetadata(description);

        var hasRouteValues = description.RelativePath?.Contains('{', StringComparison.Ordinal) == true;
        // Controllers keep the constraints in the attribute route; minimal APIs in the relative path.
        var constrained = ConstrainedRouteParameters(description.ActionDescriptor.AttributeRouteInfo?.Template);
        constrained.UnionWith(ConstrainedRouteParameters(description.RelativePath));
        foreach (var parameter in description.ParameterDescriptions)
        {
            var source = parameter.Source;
            if (source is null || source == BindingSource.Services || source == BindingSource.Special)
            {
                continue;
            }

            var isBody = source == BindingSource.Body || source == BindingSource.Form || source == BindingSource.FormFile;
            if (isBody)
            {
                codes.Add(InvalidRequestBody);
                codes.Add(MissingRequiredParameter);
            }
            else
            {
                hasRouteValues |= source == BindingSource.Path;
                if (source == BindingSource.Path && constrained.Contains(parameter.Name))
                {
                    // A value that fails the route constraint never reaches binding: routing answers 404 NotFound.
                    codes.Add(DefenderErrorCatalog.Name(DefenderErrorCode.NotFound));
                }
                else if (CanFailToParse(parameter.Type ?? parameter.ParameterDescriptor?.ParameterType))
                {
                    codes.Add(InvalidInput);
                }

                if (parameter.IsRequired && source != BindingSource.Path)
                {
                    codes.Add(MissingRequiredParameter);
                }
            }

            CollectParameterAttributes(parameter, codes, declarations);
            var type = parameter.Type ?? parameter.ParameterDescriptor?.ParameterType;
            if (type is not null)
            {
                CollectTypeAttributes(type, declarations);
                if (isBody)
                {
                    CollectMemberAttributes(type, codes, declarations, new HashSet<Type>(), 0);
                }
            }
        }

        // Parameters ApiExplorer does not describe (BindAsync types such as OData query options) still declare codes on their type.
        if (HandlerMethod(description, metadata) is { } method)
        {
            foreach (var parameter in method.GetParameters())
            {
                CollectTypeAttributes(parameter.ParameterType, declarations);
            }
        }

        if (RequiresAuthorization(description, metadata))
        {
            codes.Add(DefenderErrorCatalog.Name(DefenderErrorCode.Unauthorized));
            codes.Add(DefenderErrorCatalog.Name(DefenderErrorCode.Forbidden));
        }

        if (hasRouteValues)
        {
            codes.Add(DefenderErrorCatalog.Name(DefenderErrorCode.ResourceNotFound));
        }

        codes.Add(DefenderErrorCatalog.Name(DefenderErrorCode.InternalServerError));

        foreach (var item in metadata)
        {
            if (item is IProducesDefenderErrorMetadata declared)
            {
                declarations.Add(declared);
            }
        }

        var excluded = new HashSet<string>(StringComparer.Ordinal);
        foreach (var declared in declarations)
        {
            foreach (var name in declared.Codes)
            {
                Lookup(name, description);
                if (declared.Exclude)
                {
                    codes.Remove(name);
                    excluded.Add(name);
                }
                else
                {
                    codes.Add(name);
                    excluded.Remove(name);
                }
            }
        }

        // A bodiless error status the endpoint declares (TypedResults.NotFound(), [ProducesResponseType(409)]) and nothing above
        // covers still gets the envelope from the middleware, with the code and message written for that status — and the
        // response keeps its status (a bodiless 405 is a 405 with code BadRequest, not a 400).
        var documented = codes.Select(name => Lookup(name, description)).ToList();
        foreach (var response in description.SupportedResponseTypes)
        {
            var status = response.StatusCode;
            if (status is >= 400 and <= 599 && (response.Type is null || response.Type == typeof(void)) && !documented.Exists(c => c.StatusCode == status)
                && _options.GetStatusCodeError(status) is var error && !excluded.Contains(error.Code))
            {
                var code = Lookup(error.Code, description);
                var message = error.Message ?? code.ExampleMessage;
                documented.Add(code with { StatusCode = status, ExampleMessage = message, DocumentedMessage = error.Message ?? code.DocumentedMessage });
            }
        }

        return [.. documented
            .GroupBy(c => c.StatusCode)
            .OrderBy(g => g.Key)
            .Select(g => CreateResponse(g.Key, [.. g.OrderBy(c => c.Order)]))];
    }

    /// <summary>Query parameters the endpoint's metadata declares (<see cref="IDefenderQueryParametersMetadata"/>), first declaration of a name wins.</summary>
    internal IReadOnlyList<DefenderQueryParameter> QueryParameters(ApiDescription description)
    {
        ArgumentNullException.ThrowIfNull(description);
        List<DefenderQueryParameter>? parameters = null;
        foreach (var item in EndpointMetadata(description))
        {
            if (item is IDefenderQueryParametersMetadata declared)
            {
                foreach (var parameter in declared.QueryParameters)
                {
                    parameters ??= [];
                    if (!parameters.Exists(p => string.Equals(p.Name, parameter.Name, StringComparison.Ordinal)))
                    {
                        parameters.Add(parameter);
                    }
                }
            }
        }

        return parameters ?? (IReadOnlyList<DefenderQueryParameter>)[];
    }

    private static DefenderErrorResponse CreateResponse(int status, DefenderErrorCodeInfo[] codes)
    {
        var text = new StringBuilder();
        text.Append(ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase : "Error " + status.ToString(CultureInfo.InvariantCulture))
            .Append(". `error.code` is one of:");
        foreach (var code in codes)
        {
            text.Append("\n- `").Append(code.Name).Append("`: ")
                .Append(code.DocumentedMessage.Length == 0 ? "(no message)" : "`" + code.DocumentedMessage + "`");
        }

        return new DefenderErrorResponse(status, text.ToString(), codes);
    }


    private DefenderErrorCodeInfo Lookup(string name, ApiDescription description) =>
        _codes.TryGetValue(name, out var info)
            ? info
            : throw new InvalidOperationException(
                $"The operation '{description.HttpMethod} {description.RelativePath}' declares the Defender error code '{name}', which is neither documented nor registered with DefenderErrorOptions.AddErrorCode.");

    private IReadOnlyList<object> EndpointMetadata(ApiDescription description)
    {
        // Controllers' ActionDescriptor metadata lacks conventions added on the endpoint builder (MapControllers().RequireAuthorization()); the endpoint has them.
        var action = description.ActionDescriptor;
        return _actionEndpointMetadata.Value.TryGetValue(action, out var metadata) ? metadata : (action.EndpointMetadata is { } list ? [.. list] : []);
    }

    private Dictionary<ActionDescriptor, IReadOnlyList<object>> BuildActionEndpointMetadata()
    {
        var map = new Dictionary<ActionDescriptor, IReadOnlyList<object>>(ReferenceEqualityComparer.Instance);
        if (_endpoints is null)
        {
            return map;
        }

        foreach (var endpoint in _endpoints.Endpoints)
        {
            if (endpoint.Metadata.GetMetadata<ActionDescriptor>() is { } action)
            {
                map.TryAdd(action, [.. endpoint.Metadata]);
            }
        }

        return map;
    }

    private static MethodInfo? HandlerMethod(ApiDescription description, IReadOnlyList<object> metadata)
    {
        if (description.ActionDescriptor is ControllerActionDescriptor controllerAction)
        {
            return controllerAction.MethodInfo;
        }

        foreach (var item in metadata)
        {
            if (item is MethodInfo method)
            {
                return method;
            }
        }

        return null;
    }

    private bool RequiresAuthorization(ApiDescription description, IReadOnlyList<object> metadata)
    {
        var authorize = false;
        foreach (var item in metadata)
        {
            if (item is IAllowAnonymous)
            {
                // The authorization middleware skips every policy when an endpoint allows anonymous access.
                return false;
            }

            authorize |= item is IAuthorizeData or AuthorizationPolicy or IAuthorizationRequirementData;
        }

        return authorize
            || _fallbackPolicyApplies
            || description.ActionDescriptor.FilterDescriptors?.Any(f => f.Filter is AuthorizeFilter) == true;
    }

    /// <summary>The names of the template's parameters that carry a constraint (<c>{id:int}</c>).</summary>
    private static HashSet<string> ConstrainedRouteParameters(string? template)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (string.IsNullOrEmpty(template))
        {
            return names;
        }

        try
        {
            foreach (var parameter in RoutePatternFactory.Parse(template).Parameters)
            {
                if (parameter.ParameterPolicies.Count > 0)
                {
                    names.Add(parameter.Name);
                }
            }
        }
        catch (RoutePatternException)
        {
            // Not a pattern routing can parse: no constraint information, the binding rules apply.
        }

        return names;
    }

    /// <summary>Whether a route, query or header value of this type can fail to bind (a string cannot).</summary>
    private static bool CanFailToParse(Type? type)
    {
        if (type is null)
        {
            return false;
        }

        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsArray)
        {
            type = type.GetElementType()!;
        }

        return type != typeof(string) && type != typeof(object);
    }

    private static void CollectParameterAttributes(ApiParameterDescription parameter, HashSet<string> codes, List<IProducesDefenderErrorMetadata> declarations)
    {
        switch (parameter.ParameterDescriptor)
        {
            case IParameterInfoParameterDescriptor { ParameterInfo: { } info }:
                Classify(info.GetCustomAttributes(inherit: true), codes, declarations);
                break;
            case IPropertyInfoParameterDescriptor { PropertyInfo: { } property }:
                Classify(property.GetCustomAttributes(inherit: true), codes, declarations);
                break;
        }

        // Controllers flatten complex query models into one description per property.
        if (parameter.ModelMetadata is { MetadataKind: ModelMetadataKind.Property, ContainerType: { } container, PropertyName: { } name })
        {
            Classify(PropertyAttributes(container, name), codes, declarations);
        }
    }

    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Documentation only: a member the trimmer removed just contributes no codes.")]
    private static object[] PropertyAttributes(Type container, string name) =>
        container.GetProperty(name, BindingFlags.Public | BindingFlags.Instance)?.GetCustomAttributes(inherit: true) ?? [];

    private static void CollectTypeAttributes(Type type, List<IProducesDefenderErrorMetadata> declarations)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        foreach (var attribute in type.GetCustomAttributes(inherit: true))
        {
            if (attribute is IProducesDefenderErrorMetadata declared)
            {
                declarations.Add(declared);
            }
        }
    }

    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Documentation only: a member the trimmer removed just contributes no codes.")]
    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "Documentation only: a member the trimmer removed just contributes no codes.")]
    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "Documentation only: a member the trimmer removed just contributes no codes.")]
    private static void CollectMemberAttributes(Type type, HashSet<string> codes, List<IProducesDefenderErrorMetadata> declarations, HashSet<Type> visited, int depth)
    {
        type = ModelType(type);
        if (depth > MaxTypeDepth || IsLeaf(type) || !visited.Add(type))
        {
            return;
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            Classify(property.GetCustomAttributes(inherit: true), codes, declarations);
            CollectMemberAttributes(property.PropertyType, codes, declarations, visited, depth + 1);
        }

        // Attributes on a positional record's parameters validate the property but stay on the parameter.
        foreach (var constructor in type.GetConstructors(BindingFlags.Public | BindingFlags.Instance))
        {
            foreach (var parameter in constructor.GetParameters())
            {
                Classify(parameter.GetCustomAttributes(inherit: true), codes, declarations);
            }
        }
    }

    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Documentation only: an interface the trimmer removed just contributes no codes.")]
    private static Type ModelType(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsArray)
        {
            return type.GetElementType()!;
        }

        if (type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type))
        {
            foreach (var candidate in type.GetInterfaces().Prepend(type))
            {
                if (candidate.IsGenericType && candidate.GetGenericTypeDefinition() == typeof(IEnumerable<>))
                {
                    return candidate.GetGenericArguments()[0];
                }
            }
        }

        return type;
    }

    private static bool IsLeaf(Type type) =>
        type.IsPrimitive || type.IsEnum || type.IsPointer || type.IsByRef || type.IsGenericParameter
        || type.Namespace?.StartsWith("System", StringComparison.Ordinal) == true
        || type.Namespace?.StartsWith("Microsoft", StringComparison.Ordinal) == true;

    private static void Classify(object[] attributes, HashSet<string> codes, List<IProducesDefenderErrorMetadata> declarations)
    {
        foreach (var attribute in attributes)
        {
            switch (attribute)
            {
                case IProducesDefenderErrorMetadata declared:
                    declarations.Add(declared);
                    break;
                case IDefenderErrorCodeSource source:
                    codes.Add(DefenderErrorCatalog.Name(source.Code));
                    break;
                case RequiredAttribute or JsonRequiredAttribute or RequiredMemberAttribute:
                    codes.Add(MissingRequiredParameter);
                    break;
                case ValidationAttribute:
                    codes.Add(InvalidInput);
                    break;
            }
        }
    }
}

/// <summary>One documented error response: its status, its Markdown description and its codes.</summary>
internal sealed record DefenderErrorResponse(int StatusCode, string Description, IReadOnlyList<DefenderErrorCodeInfo> Codes);

/// <summary>One code as the documents show it: its status, its order, a realistic message and the documented wording.</summary>
internal sealed record DefenderErrorCodeInfo(string Name, int StatusCode, int Order, string ExampleMessage, string DocumentedMessage);
