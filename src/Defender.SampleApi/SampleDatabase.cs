using Defender.SampleApi.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;

namespace Defender.SampleApi;

/// <summary>
/// The sample's database. By default EF Core on SQLite: the file <c>SampleApi:DatabasePath</c> names, or a private in-memory
/// database (nothing to install; the README's first command). With <c>SampleApi:PostgresConnectionString</c>, EF Core's Npgsql
/// provider on a PostgreSQL server, which several instances behind a load balancer can share.
/// </summary>
/// <remarks>
/// The in-memory SQLite database lives as long as one connection stays open, so this holds one for the application's
/// lifetime; it uses a shared cache, so each request still gets its own connection and concurrent requests do not share one.
/// </remarks>
internal static class SampleDatabase
{
    private const int SqliteConstraint = 19; // SQLITE_CONSTRAINT

    public static IServiceCollection AddSampleDatabase(this IServiceCollection services, SampleApiOptions settings)
    {
        if (!string.IsNullOrWhiteSpace(settings.PostgresConnectionString))
        {
            var connectionString = settings.PostgresConnectionString;
            services.AddDbContext<SampleDbContext>(o => Quiet(o.UseNpgsql(connectionString)));
            return services.AddTenancy();
        }

        var sqlite = string.IsNullOrWhiteSpace(settings.DatabasePath)
            ? $"Data Source=defender-sample-{Guid.NewGuid():N};Mode=Memory;Cache=Shared"
            : new SqliteConnectionStringBuilder { DataSource = settings.DatabasePath }.ToString();
        services.AddSingleton(_ => new KeepAlive(sqlite));
        // SQLite does not stop a running statement when EF Core's token is cancelled (the OData query time budget, a client that
        // leaves); the interceptor interrupts it. Npgsql cancels its own.
        services.AddSingleton<SqliteInterrupt>();
        services.AddDbContext<SampleDbContext>((provider, o) => Quiet(o.UseSqlite(sqlite)).AddInterceptors(provider.GetRequiredService<SqliteInterrupt>()));
        return services.AddTenancy();
    }

    private static IServiceCollection AddTenancy(this IServiceCollection services) =>
        services.AddHttpContextAccessor().AddScoped<SampleTenant>();

    /// <summary>Opens the database (holding an in-memory one alive), creates it and seeds it when it is new.</summary>
    public static void OpenAndSeed(this WebApplication app)
    {
        app.Services.GetService<KeepAlive>();
        using var scope = app.Services.CreateScope();
        SeedData.EnsureSeeded(scope.ServiceProvider.GetRequiredService<SampleDbContext>());
    }

    /// <summary>Whether a failed save broke a unique index (a conflict the endpoint answers), on either provider.</summary>
    public static bool IsUniqueViolation(DbUpdateException exception) => exception.InnerException switch
    {
        SqliteException sqlite => sqlite.SqliteErrorCode == SqliteConstraint,
        PostgresException postgres => postgres.SqlState == PostgresErrorCodes.UniqueViolation,
        _ => false,
    };

    // A failed command is either a conflict the endpoint answers (a 4xx) or an exception the error middleware logs once, at
    // Error, with its target; EF Core's own Error line would be a second, target-less report of it.
    private static DbContextOptionsBuilder Quiet(DbContextOptionsBuilder options) =>
        options.ConfigureWarnings(w => w.Log(
            (RelationalEventId.CommandError, LogLevel.Warning),
            (CoreEventId.SaveChangesFailed, LogLevel.Warning)));

    /// <summary>The connection that keeps an in-memory database alive; the container closes it when the host stops.</summary>
    private sealed class KeepAlive : IDisposable
    {
        private readonly SqliteConnection _connection;

        public KeepAlive(string connectionString)
        {
            _connection = new SqliteConnection(connectionString);
            _connection.Open();
        }

        public void Dispose() => _connection.Dispose();
    }
}
