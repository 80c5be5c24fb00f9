using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MvcJsonOptions = Microsoft.AspNetCore.Mvc.JsonOptions;

namespace Defender.ErrorMiddleware.OData.Internal;

/// <summary>Binds <see cref="DefenderODataQuery{T}"/> for controller actions, with the names MVC's JSON options serialize.</summary>
internal sealed class DefenderODataQueryModelBinder : IModelBinder
{
    private static readonly ConcurrentDictionary<Type, Func<HttpContext, JsonSerializerOptions, object>> Factories = new();

    public Task BindModelAsync(ModelBindingContext bindingContext)
    {
        ArgumentNullException.ThrowIfNull(bindingContext);
        var httpContext = bindingContext.HttpContext;
        var serializerOptions = httpContext.RequestServices.GetService<IOptions<MvcJsonOptions>>()?.Value.JsonSerializerOptions
            ?? JsonSerializerOptions.Web;
        var factory = Factories.GetOrAdd(bindingContext.ModelType, CreateFactory);
        bindingContext.Result = ModelBindingResult.Success(factory(httpContext, serializerOptions));
        return Task.CompletedTask;
    }

    private static Func<HttpContext, JsonSerializerOptions, object> CreateFactory(Type modelType)
    {
        if (!modelType.IsGenericType || modelType.GetGenericTypeDefinition() != typeof(DefenderODataQuery<>))
        {
            throw new InvalidOperationException($"{nameof(DefenderODataQueryModelBinder)} binds only DefenderODataQuery<T>, not {modelType}.");
        }

        var create = modelType.GetMethod(nameof(DefenderODataQuery<object>.Create), BindingFlags.NonPublic | BindingFlags.Static)!;
        return create.CreateDelegate<Func<HttpContext, JsonSerializerOptions, object>>();
    }
}
