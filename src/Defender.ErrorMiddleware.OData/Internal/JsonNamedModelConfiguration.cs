using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OData.Edm;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.OData.Edm;
using Microsoft.OData.ModelBuilder;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;
using MvcJsonOptions = Microsoft.AspNetCore.Mvc.JsonOptions;

namespace Defender.ErrorMiddleware.OData.Internal;

/// <summary>
/// Names the properties of the models the library builds on the fly (for minimal APIs, and for controllers outside OData
/// routing) as the API's JSON spells them (<c>[JsonPropertyName]</c>, else the naming policy: camelCase by default) and
/// leaves out <c>[JsonIgnore]</c> ones, in the namespace <c>Default</c>, so a client filters, orders and selects with the names it reads, and
/// <c>$select</c> answers with them. Applications that give the library a model of their own keep it.
/// </summary>
internal sealed class JsonNamedModelConfiguration(IOptions<MvcJsonOptions> mvcJson) : IODataModelConfiguration
{
    /// <summary>The namespace of the types of the models built here (the convention model builder's own default container namespace).</summary>
    internal const string ModelNamespace = "Default";

    private readonly ConcurrentDictionary<Type, IEdmModel> _mvcModels = new();

    /// <summary>The minimal-API hook of the library (<c>IODataModelConfiguration</c>): renames with the HTTP JSON options.</summary>
    public ODataModelBuilder Apply(HttpContext context, ODataModelBuilder builder, Type clrType)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(builder);
        if (builder is ODataConventionModelBuilder convention)
        {
            var json = context.RequestServices.GetService<IOptions<HttpJsonOptions>>()?.Value.SerializerOptions ?? JsonSerializerOptions.Web;
            RenameOnCreating(convention, json.PropertyNamingPolicy);
        }

        return builder;
    }

    /// <summary>The model of one entity type for a controller outside OData routing, named with MVC's JSON options.</summary>
    public IEdmModel ForController(Type clrType, IAssemblyResolver? resolver) =>
        _mvcModels.GetOrAdd(clrType, static (type, state) =>
        {
            var builder = state.Resolver is null ? new ODataConventionModelBuilder() : new ODataConventionModelBuilder(state.Resolver, isQueryCompositionMode: true);
            builder.AddEntitySet(type.Name, builder.AddEntityType(type));
            RenameOnCreating(builder, state.Policy);
            return builder.GetEdmModel();
        }, (Resolver: resolver, Policy: mvcJson.Value.JsonSerializerOptions.PropertyNamingPolicy));

    private static void RenameOnCreating(ODataConventionModelBuilder builder, JsonNamingPolicy? policy)
    {
        var previous = builder.OnModelCreating;
        builder.OnModelCreating = b =>
        {
            previous?.Invoke(b);
            Rename(b, policy);
        };
    }

    private static void Rename(ODataConventionModelBuilder builder, JsonNamingPolicy? policy)
    {
        // The EDM namespace shows in the library's messages ("… on type 'Default.Machine'"): not the server's CLR namespaces.
        foreach (var type in builder.EnumTypes)
        {
            type.Namespace = ModelNamespace;
        }

        foreach (var type in builder.StructuralTypes)
        {
            type.Namespace = ModelNamespace;
            foreach (var property in type.Properties.ToArray())
            {
                var info = property.PropertyInfo;
                if (info.GetCustomAttribute<JsonIgnoreAttribute>() is { Condition: JsonIgnoreCondition.Always })
                {
                    type.RemoveProperty(info);
                    continue;
                }

                property.Name = info.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? policy?.ConvertName(info.Name) ?? info.Name;
            }
        }
    }
}
