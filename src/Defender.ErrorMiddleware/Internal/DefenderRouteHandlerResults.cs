using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Defender.ErrorMiddleware.Internal;

/// <summary>
/// Minimal APIs write a result such as <c>Results.BadRequest("…")</c> or <c>TypedResults.Conflict("…")</c> as a bare JSON
/// string, through no channel we could plug into (it is not a ProblemDetails). An endpoint filter sees the result before it
/// executes and replaces an error-status result whose value is a string with the envelope, by the rule MVC's result filter
/// uses (<see cref="ProblemDetailsMapping.TryFromMessageResult"/>); any other value is the application's chosen body and stays.
/// </summary>
/// <remarks>
/// ASP.NET Core has no global endpoint filter (dotnet/aspnetcore#43237, #59755): its own answer is a route group, whose
/// conventions reach each endpoint before its request delegate is built. So once the application has mapped its endpoints
/// (<see cref="IStartupFilter"/>, before the pipeline is built and routing reads its data sources), each route-handler data
/// source of the route builders <c>UseDefenderErrors()</c> saw is wrapped in <see cref="GroupedDataSource"/>: the same
/// endpoints, read as if in a group whose one convention adds the filter. The filter factory returns <c>next</c> untouched
/// for a handler that cannot return an <see cref="IResult"/>, so such endpoints pay nothing.
/// <para>
/// The route-handler sources are told apart by type, the types the framework's own public <c>Map</c> and <c>MapGroup</c>
/// create (<see cref="RouteHandlerSourceTypes"/>), not by their internal names. No public hook does this job in .NET 10:
/// <c>WebApplication.Conventions</c> (dotnet/aspnetcore#59755) would be it. Other sources are left alone: MVC converts its
/// results in its own result filter, and a source of another type (OData's, a third party's) may not take a group: the base
/// <see cref="EndpointDataSource.GetGroupedEndpoints"/> rebuilds every endpoint and refuses one that is not a <see cref="RouteEndpoint"/>.
/// </para>
/// </remarks>
internal sealed class DefenderRouteHandlerResults : IStartupFilter
{
    private readonly List<IEndpointRouteBuilder> _routeBuilders = [];
    private readonly bool _enabled;

    public DefenderRouteHandlerResults(IOptions<DefenderErrorOptions> options) => _enabled = options.Value.ConvertProblemDetails;

    /// <summary>Remembers a route builder the application maps its endpoints on (<c>UseDefenderErrors()</c> on a WebApplication).</summary>
    internal void AddRouteBuilder(IEndpointRouteBuilder routes)
    {
        lock (_routeBuilders)
        {
            if (!_routeBuilders.Contains(routes))
            {
                _routeBuilders.Add(routes);
            }
        }
    }

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        next(app);
        if (!_enabled)
        {
            return;
        }

        // Also the builder UseRouting() kept for UseEndpoints() (a Startup-style app).
        foreach (var value in app.Properties.Values)
        {
            if (value is IEndpointRouteBuilder routes)
            {
                AddRouteBuilder(routes);
            }
        }

        lock (_routeBuilders)
        {
            var routeHandlerSources = RouteHandlerSourceTypes(app.ApplicationServices);
            foreach (var routes in _routeBuilders)
            {
                Wrap(routes.DataSources, routes.ServiceProvider, routeHandlerSources);
            }
        }
    };

    /// <summary>
    /// The types of the sources the framework keeps minimal-API endpoints in (<c>MapGet</c> and friends, <c>MapGroup</c>):
    /// what its public <c>Map</c> and <c>MapGroup</c> create on a route builder of our own. Nothing is built or mapped in the
    /// application.
    /// </summary>
    internal static Type[] RouteHandlerSourceTypes(IServiceProvider services)
    {
        var probe = new ProbeRouteBuilder(services);
        probe.Map("/", static _ => Task.CompletedTask);
        probe.MapGroup("/");
        return [.. probe.DataSources.Select(static source => source.GetType()).Distinct()];
    }

    private static void Wrap(ICollection<EndpointDataSource> sources, IServiceProvider services, Type[] routeHandlerSources)
    {
        var wrapped = sources.Select(source => source is not GroupedDataSource && routeHandlerSources.Contains(source.GetType())
            ? new GroupedDataSource(source, services)
            : source).ToArray();
        sources.Clear();
        foreach (var source in wrapped)
        {
            sources.Add(source);
        }
    }

    /// <summary>The filter factory: the filter for a handler that can return an <see cref="IResult"/>, else <c>next</c>.</summary>
    internal static EndpointFilterDelegate CreateFilter(EndpointFilterFactoryContext context, EndpointFilterDelegate next)
    {
        if (!CanReturnResult(context.MethodInfo.ReturnType))
        {
            return next;
        }

        var writer = context.ApplicationServices.GetRequiredService<DefenderErrorWriter>();
        return invocation =>
        {
            var pending = next(invocation);
            return pending.IsCompletedSuccessfully ? new ValueTask<object?>(Convert(writer, pending.Result)) : AwaitAsync(writer, pending);
        };
    }

    private static async ValueTask<object?> AwaitAsync(DefenderErrorWriter writer, ValueTask<object?> pending) => Convert(writer, await pending);

    private static object? Convert(DefenderErrorWriter writer, object? result)
    {
        // Results<T1, T2, …> carries the result the handler chose.
        var chosen = result is INestedHttpResult nested ? nested.Result : result;
        return chosen is IStatusCodeHttpResult statusResult and IValueHttpResult valueResult
            && ProblemDetailsMapping.TryFromMessageResult(writer, statusResult.StatusCode, valueResult.Value, out var error, out var status)
            ? new DefenderErrorResult(error, status)
            : result;
    }

    private static bool CanReturnResult(Type returnType)
    {
        if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() is var definition
            && (definition == typeof(Task<>) || definition == typeof(ValueTask<>)))
        {
            returnType = returnType.GetGenericArguments()[0];
        }

        return returnType == typeof(object) || typeof(IResult).IsAssignableFrom(returnType);
    }

    /// <summary>
    /// A route-handler source read as the endpoints of a group whose one convention adds <see cref="CreateFilter"/>. The
    /// prefix is null, as when the source is read on its own, so every route pattern and display name stays exactly as mapped.
    /// </summary>
    private sealed class GroupedDataSource(EndpointDataSource inner, IServiceProvider services) : EndpointDataSource, IDisposable
    {
        private static readonly Action<EndpointBuilder> AddFilter = static builder => builder.FilterFactories.Insert(0, CreateFilter);

        public override IReadOnlyList<Endpoint> Endpoints => inner.GetGroupedEndpoints(new RouteGroupContext
        {
            Prefix = null!,
            Conventions = [AddFilter],
            FinallyConventions = [],
            ApplicationServices = services,
        });

        public override IReadOnlyList<Endpoint> GetGroupedEndpoints(RouteGroupContext context) => inner.GetGroupedEndpoints(new RouteGroupContext
        {
            Prefix = context.Prefix,
            Conventions = [AddFilter, .. context.Conventions],
            FinallyConventions = context.FinallyConventions,
            ApplicationServices = context.ApplicationServices,
        });

        public override IChangeToken GetChangeToken() => inner.GetChangeToken();

        // Disposed in its stead by the composite that holds it, as the source would be (a group disposes its own sources).
        public void Dispose() => (inner as IDisposable)?.Dispose();
    }

    /// <summary>A route builder of our own, for <see cref="RouteHandlerSourceTypes"/>.</summary>
    private sealed class ProbeRouteBuilder(IServiceProvider services) : IEndpointRouteBuilder
    {
        public IServiceProvider ServiceProvider => services;

        public ICollection<EndpointDataSource> DataSources { get; } = [];

        public IApplicationBuilder CreateApplicationBuilder() => new ApplicationBuilder(services);
    }
}
