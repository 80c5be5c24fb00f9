using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApplicationModels;
using Microsoft.AspNetCore.OData.Query;
using Microsoft.AspNetCore.OData.Query.Validator;

namespace Defender.ErrorMiddleware.OData.Internal;

/// <summary>
/// At startup, for every controller action that takes OData queries (<c>[EnableQuery]</c> on it or its controller, or an
/// <c>ODataQueryOptions</c> parameter): gives the attribute Defender's limits where it left the library's defaults, and adds
/// <see cref="DefenderODataQueryMetadata"/> to its endpoints so the OpenAPI packages document the query options and ODataError.
/// </summary>
internal sealed class DefenderODataApplicationModelProvider(ODataLimits limits) : IApplicationModelProvider
{
    private static readonly ODataValidationSettings LibraryDefaults = new();

    /// <summary>Below Microsoft.AspNetCore.OData's routing provider (100): "executed" runs in reverse order, so this sees its selectors.</summary>
    public int Order => 50;

    public void OnProvidersExecuting(ApplicationModelProviderContext context)
    {
    }

    public void OnProvidersExecuted(ApplicationModelProviderContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = limits.Options;
        foreach (var controller in context.Result.Controllers)
        {
            var controllerQuery = controller.Filters.OfType<EnableQueryAttribute>().FirstOrDefault();
            foreach (var action in controller.Actions)
            {
                var enableQuery = action.Filters.OfType<EnableQueryAttribute>().FirstOrDefault() ?? controllerQuery;
                var queryOptionsType = action.Parameters.Select(p => QueryOptionsEntityType(p.ParameterType)).FirstOrDefault(t => t is not null);
                if (enableQuery is null && queryOptionsType is null)
                {
                    continue;
                }

                if (enableQuery is not null)
                {
                    ApplyDefaults(enableQuery, options);
                    if (enableQuery.AllowedQueryOptions == LibraryDefaults.AllowedQueryOptions)
                    {
                        enableQuery.AllowedQueryOptions &= ~limits.Disallowed;
                    }
                }

                var metadata = new DefenderODataQueryMetadata(queryOptionsType ?? ElementType(action.ActionMethod.ReturnType), options.MaxTop);
                foreach (var selector in action.Selectors)
                {
                    if (!selector.EndpointMetadata.OfType<DefenderODataQueryMetadata>().Any())
                    {
                        selector.EndpointMetadata.Add(metadata);
                    }
                }
            }
        }
    }

    /// <summary>The entity type of an <c>ODataQueryOptions&lt;T&gt;</c> (or <see cref="object"/> for the untyped one), else <see langword="null"/>.</summary>
    internal static Type? QueryOptionsEntityType(Type type)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (current.IsGenericType && current.GetGenericTypeDefinition() == typeof(ODataQueryOptions<>))
            {
                return current.GetGenericArguments()[0];
            }

            if (current == typeof(ODataQueryOptions))
            {
                return typeof(object);
            }
        }

        return null;
    }

    /// <summary>A limit the attribute leaves at the library's default takes Defender's; one the application set stays.</summary>
    private static void ApplyDefaults(EnableQueryAttribute attribute, DefenderODataOptions options)
    {
        if (attribute.MaxTop == 0)
        {
            attribute.MaxTop = options.MaxTop;
        }

        // Server-driven paging as Defender's: a page is read whole before it is written (so a failing query is still an error
        // envelope) and a longer result ends with @odata.nextLink.
        if (attribute.PageSize == 0)
        {
            attribute.PageSize = options.PageSize;
        }

        if (attribute.MaxNodeCount == LibraryDefaults.MaxNodeCount)
        {
            attribute.MaxNodeCount = options.MaxNodeCount;
        }

        if (attribute.MaxOrderByNodeCount == LibraryDefaults.MaxOrderByNodeCount)
        {
            attribute.MaxOrderByNodeCount = options.MaxOrderByNodeCount;
        }

        if (attribute.MaxAnyAllExpressionDepth == LibraryDefaults.MaxAnyAllExpressionDepth)
        {
            attribute.MaxAnyAllExpressionDepth = options.MaxAnyAllExpressionDepth;
        }

        if (attribute.MaxExpansionDepth == LibraryDefaults.MaxExpansionDepth)
        {
            attribute.MaxExpansionDepth = options.MaxExpansionDepth;
        }
    }

    /// <summary>The element type an action's result is queried as: <c>T</c> of <c>IQueryable&lt;T&gt;</c>, <c>Task&lt;ActionResult&lt;IEnumerable&lt;T&gt;&gt;&gt;</c>…</summary>
    private static Type? ElementType(Type returnType)
    {
        var type = returnType;
        if (type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(Task<>) || type.GetGenericTypeDefinition() == typeof(ValueTask<>)))
        {
            type = type.GetGenericArguments()[0];
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ActionResult<>))
        {
            type = type.GetGenericArguments()[0];
        }

        if (type == typeof(string))
        {
            return null;
        }

        var enumerable = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IEnumerable<>)
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>));
        return enumerable?.GetGenericArguments()[0];
    }
}
