using Defender.SampleApi.Endpoints;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;

namespace Defender.SampleApi.Fleet;

/// <summary>
/// What instances of the sample share when they run as a fleet behind a load balancer: the rate-limit windows (in Redis when
/// <c>SampleApi:Redis</c> is set, otherwise in each instance's memory) and the keys that sign download links (Data Protection's
/// key ring in the PostgreSQL database when <c>SampleApi:PostgresConnectionString</c> is set, otherwise in memory). The data,
/// and with it the live response session cap and the one-pending-action rule, is shared by the database itself.
/// </summary>
internal static class SampleFleet
{
    /// <summary>Data Protection's application name: instances share keys whatever folder they run from.</summary>
    public const string ApplicationName = "Defender.SampleApi";

    public static IServiceCollection AddSampleFleet(this IServiceCollection services, IConfigurationSection sample)
    {
        var settings = sample.Get<SampleApiOptions>() ?? new SampleApiOptions();

        // Refuses conflicting limit keys at start-up, not at the first request.
        _ = SampleRateLimits.ReadDefaultWindow(sample);
        services.AddRateLimiter(_ => { });
        if (string.IsNullOrWhiteSpace(settings.Redis))
        {
            services.AddOptions<RateLimiterOptions>().Configure<TimeProvider>((o, time) =>
                SampleRateLimits.Configure(o, sample, (_, windows) => new TimeWindowRateLimiter(windows, time)));
        }
        else
        {
            var redis = settings.Redis;
            services.AddSingleton(s => new RedisWindowStore(redis, s.GetRequiredService<ILogger<RedisWindowStore>>()));
            services.AddOptions<RateLimiterOptions>().Configure<RedisWindowStore, TimeProvider>((o, store, time) =>
                SampleRateLimits.Configure(o, sample, (partition, windows) => new RedisWindowRateLimiter(store, partition, windows, time)));
        }

        var protection = services.AddDataProtection().SetApplicationName(ApplicationName);
        if (string.IsNullOrWhiteSpace(settings.PostgresConnectionString))
        {
            // One instance: keys in memory, as links live no longer than the instance's in-memory data.
            protection.UseEphemeralDataProtectionProvider();
        }
        else
        {
            var connectionString = settings.PostgresConnectionString;
            services.AddDbContext<SampleKeyRingContext>(o => o.UseNpgsql(connectionString));
            services.AddOptions<KeyManagementOptions>().Configure<IServiceProvider, ILoggerFactory>((o, provider, loggers) =>
                o.XmlRepository = new SampleKeyRingRepository(provider, loggers));
        }

        services.AddSingleton<LiveResponseResults>();
        return services;
    }
}
