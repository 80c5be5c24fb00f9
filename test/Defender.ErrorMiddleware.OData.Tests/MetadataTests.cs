using System.Reflection;
using System.Text;
using Defender.ErrorMiddleware.OData.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Defender.ErrorMiddleware.OData.Tests;

public sealed class MetadataTests
{
    [Theory]
    [InlineData(ODataTestApp.MinimalApi)]
    [InlineData(ODataTestApp.Controller)]
    public async Task Endpoint_CarriesDefenderODataQueryMetadata_ForTheEntityType(string route)
    {
        await using var app = await ODataTestApp.StartAsync(s => s.AddDefenderOData(o => o.MaxTop = 500));

        var endpoints = app.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();
        var endpoint = Assert.Single(endpoints, e => "/" + e.RoutePattern.RawText?.TrimStart('/') == route);
        var metadata = Assert.Single(endpoint.Metadata.GetOrderedMetadata<DefenderODataQueryMetadata>());

        Assert.Equal(typeof(Machine), metadata.EntityType);
        Assert.Equal(["$filter", "$orderby", "$top", "$skip", "$select", "$count"], metadata.QueryOptions);
        Assert.Equal(500, metadata.MaxTop);
    }

    [Fact]
    public void PublicApi_MatchesGoldenFile()
    {
        var path = Path.Combine(RepositoryRoot(), "test/Defender.ErrorMiddleware.OData.Tests/PublicApi/Defender.ErrorMiddleware.OData.txt");
        var generated = Describe(typeof(DefenderODataQuery<>).Assembly);
        if (Environment.GetEnvironmentVariable("DEFENDER_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, generated);
        }

        Assert.True(File.Exists(path), "Run the tests once with DEFENDER_UPDATE_GOLDEN=1 to create " + path);
        Assert.Equal(File.ReadAllText(path).ReplaceLineEndings("\n"), generated);
    }

    private static string Describe(Assembly assembly)
    {
        var text = new StringBuilder();
        const BindingFlags Flags = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            var kind = type.IsAbstract && type.IsSealed ? "static class" : type.IsSealed ? "sealed class" : "class";
            var interfaces = type.GetInterfaces().Where(i => i.IsPublic || i.IsNestedPublic).Select(i => i.ToString()).Order(StringComparer.Ordinal);
            text.Append(kind).Append(' ').Append(type).Append(" : ").AppendJoin(", ", interfaces).Append('\n');
            // Public members plus explicit interface implementations (BindAsync, PopulateMetadata) are the surface.
            var members = type.GetMembers(Flags)
                .Where(m => m switch
                {
                    MethodBase method => (method.IsPublic || (method.IsPrivate && method.Name.Contains('.', StringComparison.Ordinal))) && !method.IsSpecialName,
                    PropertyInfo property => property.GetMethod?.IsPublic == true,
                    FieldInfo field => field.IsPublic,
                    _ => false,
                })
                .Select(m => "  " + m);
            foreach (var member in members.Order(StringComparer.Ordinal))
            {
                text.Append(member).Append('\n');
            }
        }

        return text.ToString();
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Defender.ErrorMiddleware.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Run the tests from inside the repository.");
    }
}
