using System.Reflection;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OData.Results;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.OData.Routing.Controllers;
using Microsoft.Extensions.DependencyInjection;

namespace Defender.ErrorMiddleware.OData.Internal;

/// <summary>
/// Keeps the library's types out of OpenAPI documents: an <c>ODataQueryOptions&lt;T&gt;</c> parameter (the request, its
/// user, the EDM model…) is not a parameter clients send, so it is removed and the operation gets
/// <see cref="DefenderODataQueryMetadata"/> instead ($filter, $top… with their limits); the library's <c>$metadata</c> and
/// service-document actions, which answer CSDL and EDM objects, are left out of the documents; a <c>SingleResult&lt;T&gt;</c>
/// response is documented as the <c>T</c> it is written as.
/// </summary>
// IServiceProvider, not IModelMetadataProvider: an app of minimal APIs only has ApiExplorer without MVC's metadata provider.
internal sealed class DefenderODataApiDescriptionProvider(ODataLimits limits, IServiceProvider services) : IApiDescriptionProvider
{
    /// <summary>After MVC's (-1000) and the minimal APIs' (-1100) providers, which create the descriptions.</summary>
    public int Order => 1000;

    public void OnProvidersExecuting(ApiDescriptionProviderContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var results = context.Results;
        for (var i = results.Count - 1; i >= 0; i--)
        {
            var description = results[i];
            if (description.ActionDescriptor is ControllerActionDescriptor { ControllerTypeInfo: var controller } && controller.AsType() == typeof(MetadataController))
            {
                results.RemoveAt(i);
                continue;
            }

            Type? entityType = null;
            var parameters = description.ParameterDescriptions;
            for (var p = parameters.Count - 1; p >= 0; p--)
            {
                var parameter = parameters[p];
                var type = DefenderODataApplicationModelProvider.QueryOptionsEntityType(parameter.ParameterDescriptor?.ParameterType ?? parameter.Type ?? typeof(void))
                    ?? (parameter.ModelMetadata?.ContainerType is { } container ? DefenderODataApplicationModelProvider.QueryOptionsEntityType(container) : null);
                if (type is not null)
                {
                    entityType = type;
                    parameters.RemoveAt(p);
                }
            }

            // A minimal API's ODataQueryOptions<T> parameter binds itself (BindAsync), so ApiExplorer does not list it: the handler says.
            entityType ??= description.ActionDescriptor.EndpointMetadata.OfType<MethodInfo>().FirstOrDefault()?.GetParameters()
                .Select(p => DefenderODataApplicationModelProvider.QueryOptionsEntityType(p.ParameterType)).FirstOrDefault(t => t is not null);

            // SingleResult<T> (a key lookup under [EnableQuery]) is written as the entity itself.
            foreach (var response in description.SupportedResponseTypes)
            {
                if (response.Type is { IsGenericType: true } type && type.GetGenericTypeDefinition() == typeof(SingleResult<>))
                {
                    response.Type = type.GetGenericArguments()[0];
                    response.ModelMetadata = services.GetService<IModelMetadataProvider>()?.GetMetadataForType(response.Type);
                }
            }

            if (entityType is not null && !description.ActionDescriptor.EndpointMetadata.OfType<DefenderODataQueryMetadata>().Any())
            {
                description.ActionDescriptor.EndpointMetadata = [.. description.ActionDescriptor.EndpointMetadata, new DefenderODataQueryMetadata(entityType, limits.Options.MaxTop)];
            }
        }
    }

    public void OnProvidersExecuted(ApiDescriptionProviderContext context)
    {
    }
}
