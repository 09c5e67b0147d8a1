using Microsoft.Extensions.Logging;
using Serilog;

public class Checkout
{
    private readonly ILogger<Checkout> _logger;

    public void Pay(Order order)
    {
        _logger.LogWarning("Order {OrderId} has no items", order.Id); // #payments
        _logger.LogError(ex, "Payment for {OrderId} failed after {Attempts} attempts", order.Id, n);
        _logger.LogInformation($"Interpolated {order.Id} done");
        _logger.Log(LogLevel.Critical, "Vault down");
        Log.Error("Serilog static {Code}", code); // @mo
        Log.Information(@"verbatim ""quoted"" path C:\temp");
        logger.Warn("NLog " + name);
        log.WarnFormat("log4net {0}", x);
        Console.WriteLine("not a log");
        _logger.LogDebug(message);
    }
}
